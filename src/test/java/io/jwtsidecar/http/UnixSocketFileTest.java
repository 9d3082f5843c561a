package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the API's socket file is put in place and taken away, with real sockets. */
class UnixSocketFileTest {
    @TempDir
    Path dir;

    private static ServerSocketChannel bound(Path at) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(at));
        return server;
    }

    private static boolean answers(ServerSocketChannel server, Path at) throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(at))) {
            server.configureBlocking(true);
            try (SocketChannel accepted = server.accept()) {
                return accepted != null;
            }
        }
    }

    @Test
    void the_socket_is_bound_elsewhere_then_moved_into_place_open_to_every_local_user() throws IOException {
        Path path = dir.resolve("api.sock");
        UnixSocketFile socket = UnixSocketFile.at(path);
        Path bindDir = socket.bindPath().getParent();
        assertThat(bindDir.getParent()).isEqualTo(dir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(bindDir)))
                .as("bound where no other user can swap it for a link").isEqualTo("rwx------");

        try (ServerSocketChannel server = bound(socket.bindPath())) {
            socket.publish();

            assertThat(Files.exists(socket.bindPath())).isFalse();
            assertThat(Files.exists(bindDir)).as("its directory is gone").isFalse();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-rw-rw-");
            assertThat(answers(server, path)).isTrue();
        }
    }

    @Test
    void a_socket_left_by_an_earlier_run_is_replaced_and_a_successor_socket_is_not_removed_by_its_predecessor()
            throws IOException {
        Path path = dir.resolve("api.sock");
        UnixSocketFile first = UnixSocketFile.at(path);
        try (ServerSocketChannel old = bound(first.bindPath())) {
            first.publish();
            UnixSocketFile second = UnixSocketFile.at(path);
            try (ServerSocketChannel successor = bound(second.bindPath())) {
                second.publish();

                assertThat(answers(successor, path)).as("new connections reach the successor").isTrue();
                first.remove();
                assertThat(Files.exists(path)).as("the predecessor stopping leaves the successor's socket").isTrue();
                assertThat(answers(successor, path)).isTrue();

                second.remove();
                assertThat(Files.exists(path)).isFalse();
            }
        }
    }

    @Test
    void a_file_that_is_not_a_socket_is_refused_and_left_alone() throws IOException {
        Path path = dir.resolve("api.sock");
        Files.writeString(path, "keep me");

        assertThatThrownBy(() -> UnixSocketFile.at(path)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a socket");
        assertThat(Files.readString(path)).isEqualTo("keep me");
    }

    @Test
    void a_missing_directory_is_refused_naming_it() {
        Path path = dir.resolve("missing").resolve("api.sock");

        assertThatThrownBy(() -> UnixSocketFile.at(path)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(dir.resolve("missing").toString()).hasMessageContaining("does not exist");
    }

    @Test
    void publishing_does_not_open_up_the_file_a_link_at_the_bind_name_points_to() throws IOException {
        // The bind name is listed in the directory from the bind on; whoever may write there can
        // swap the socket for a link before publish() opens the name to every local user.
        Path secret = dir.resolve("user.p12");
        Files.writeString(secret, "private key");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path path = dir.resolve("api.sock");
        UnixSocketFile socket = UnixSocketFile.at(path);
        Files.createSymbolicLink(socket.bindPath(), secret);

        try {
            socket.publish();
        } catch (IOException refused) {
            // Refusing is fine; opening up the link's target is not.
        }

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
                .as("the link's target keeps its permissions").isEqualTo("rw-------");
        assertThat(Files.isSymbolicLink(path)).as("no link is published as the API socket").isFalse();
    }

    @Test
    void a_directory_other_users_may_write_to_is_refused() throws IOException {
        // Anyone who may write the directory can rename a socket of their own over the published
        // one and answer every client of the node in the sidecar's place.
        Path shared = dir.resolve("shared");
        Files.createDirectory(shared);
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> UnixSocketFile.at(shared.resolve("api.sock")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(shared.toString());
    }

    @Test
    void a_socket_path_of_the_longest_length_the_config_allows_can_be_bound_and_published() throws IOException {
        // api.socketPath may be up to 100 bytes; the name bound first sits in the same directory with
        // a dot and a 13-byte suffix added, and must still fit sun_path (108 bytes with its NUL).
        int room = 100 - (dir.toString() + "/").length();
        assertThat(room).as("the temporary directory leaves room for a name").isPositive();
        Path path = dir.resolve("a".repeat(room));
        assertThat(path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(100);
        UnixSocketFile socket = UnixSocketFile.at(path);

        try (ServerSocketChannel server = bound(socket.bindPath())) {
            socket.publish();
            assertThat(answers(server, path)).isTrue();
        }
    }

    @Test
    void a_named_pipe_at_the_path_is_refused_and_left_alone() throws Exception {
        // "Other" is not "socket": a FIFO or a device node is some other program's file, and
        // publishing would rename the socket over it.
        Path path = dir.resolve("api.sock");
        assertThat(new ProcessBuilder("mkfifo", path.toString()).inheritIO().start().waitFor()).isZero();

        assertThatThrownBy(() -> UnixSocketFile.at(path)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a socket");
    }
}
