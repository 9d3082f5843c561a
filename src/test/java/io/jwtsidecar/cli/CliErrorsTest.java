package io.jwtsidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.testing.MinimalConfig;
import io.jwtsidecar.token.keys.Pem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The command line's answers to an operator's mistakes, run in-process: every command takes
 * {@code --help} and {@code --version}; every user error of {@code token}, {@code revoke},
 * {@code restore} and {@code status} is one sentence with its exit status, and a stack trace only
 * with {@code --verbose}.
 */
class CliErrorsTest {
    private static final String ADMIN = "--admin-token=secret";
    private static final String[] TOKEN_CLAIMS = {"--issuer", "https://issuer.test", "--subject", "alice", "--audience", "api"};

    @TempDir
    Path dir;

    /** What one command line printed and returned. */
    record Outcome(int status, String out, String err) {
        void hasNoStackTrace() {
            assertThat((out + err).lines()).noneMatch(line -> line.startsWith("\tat "));
        }
    }

    /**
     * Runs a command line made by {@code cli} once System.out and System.err are captured: picocli
     * binds its writers to the System streams of the moment it builds a command line.
     */
    private static Outcome run(Supplier<CommandLine> commandLine, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            int status = commandLine.get().execute(args);
            return new Outcome(status, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static Outcome run(String... args) {
        return run(JwtSidecarCommand::commandLine, args);
    }

    static Stream<List<String>> commands() {
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of());
        JwtSidecarCommand.commandLine().getSubcommands().keySet().forEach(name -> commands.add(List.of(name)));
        commands.add(List.of("topic", "create"));
        commands.add(List.of("topic", "check"));
        return commands.stream();
    }

    @ParameterizedTest
    @MethodSource("commands")
    void every_command_prints_its_usage_on_help_and_exits_0(List<String> command) {
        String name = String.join(" ", Stream.concat(Stream.of("jwt-sidecar"),
                command.stream().filter(word -> !word.equals("create") && !word.equals("check"))).toList());
        for (String help : List.of("--help", "-h")) {
            Outcome outcome = run(Stream.concat(command.stream(), Stream.of(help)).toArray(String[]::new));
            assertThat(outcome.status()).as("%s %s", command, help).isZero();
            assertThat(outcome.out()).startsWith("Usage: " + name + " ");
            assertThat(outcome.err()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("commands")
    void every_command_prints_the_version_and_exits_0(List<String> command) {
        Outcome outcome = run(Stream.concat(command.stream(), Stream.of("--version")).toArray(String[]::new));
        assertThat(outcome.status()).isZero();
        assertThat(outcome.out()).isEqualTo("jwt-sidecar 0.1.0" + System.lineSeparator());
    }

    @Test
    void dev_in_the_production_jar_has_help_too() {
        Outcome outcome = run(() -> new CommandLine(new JwtSidecarCommand())
                .addSubcommand("dev", new JwtSidecarCommand.DevUnavailable()), "dev", "--help");

        assertThat(outcome.status()).isZero();
        assertThat(outcome.out()).startsWith("Usage: jwt-sidecar dev ").contains("jwt-sidecar-dev.jar");
    }

    @Test
    void token_with_a_missing_key_file() {
        Path missing = dir.resolve("missing.pem");

        Outcome outcome = token(missing);

        assertThat(outcome.status()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo(line("jwt-sidecar token: no private key file at " + missing
                + "; pass --private-key with the path of a PKCS#8 PEM private key"));
        assertThat(outcome.out()).isEmpty();
        outcome.hasNoStackTrace();
    }

    @Test
    void token_with_a_public_key() throws Exception {
        Path publicKey = Files.writeString(dir.resolve("public.pem"), pem("PUBLIC KEY", ecKeys().getPublic().getEncoded()));

        Outcome outcome = token(publicKey);

        assertThat(outcome.status()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo(line("jwt-sidecar token: " + publicKey + " holds a public key, but a token is "
                + "signed with the private key: pass the PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----) of that key pair"));
        outcome.hasNoStackTrace();
    }

    @Test
    void token_with_a_garbage_file() throws Exception {
        byte[] garbage = new byte[300];
        new java.util.Random(7).nextBytes(garbage);
        Path file = Files.write(dir.resolve("garbage.bin"), garbage);

        Outcome outcome = token(file);

        assertThat(outcome.status()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo(line("jwt-sidecar token: " + file + " is not a PKCS#8 PEM private key "
                + "(EC, RSA or Ed25519): pass a file that begins with -----BEGIN PRIVATE KEY-----, such as one made with "
                + "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem"));
        outcome.hasNoStackTrace();
    }

    @Test
    void token_with_an_older_pem_form_says_how_to_convert_it() throws Exception {
        Path file = Files.writeString(dir.resolve("sec1.pem"), pem("EC PRIVATE KEY", new byte[] {1, 2, 3}));

        Outcome outcome = token(file);

        assertThat(outcome.status()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo(line("jwt-sidecar token: " + file + " is a private key in the older "
                + "one-algorithm PEM form, not PKCS#8: convert it with openssl pkcs8 -topk8 -nocrypt -in " + file
                + " -out key.pem and pass key.pem"));
        outcome.hasNoStackTrace();
    }

    @Test
    void token_with_a_good_key_prints_a_token() throws Exception {
        Path key = Files.writeString(dir.resolve("private.pem"), pem("PRIVATE KEY", ecKeys().getPrivate().getEncoded()));

        Outcome outcome = token(key);

        assertThat(outcome.status()).isZero();
        assertThat(outcome.out()).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+\\R");
        assertThat(outcome.err()).isEmpty();
    }

    @Test
    void verbose_adds_the_stack_trace_before_or_after_the_command_name() {
        String missing = dir.resolve("missing.pem").toString();
        for (String[] args : List.of(
                new String[] {"--verbose", "token", "--private-key", missing},
                new String[] {"token", "--private-key", missing, "--verbose"})) {
            String[] full = Stream.concat(Stream.of(args), Stream.of(TOKEN_CLAIMS)).toArray(String[]::new);

            Outcome outcome = run(full);

            assertThat(outcome.status()).isEqualTo(2);
            assertThat(outcome.err().lines().findFirst()).hasValue("jwt-sidecar token: no private key file at " + missing
                    + "; pass --private-key with the path of a PKCS#8 PEM private key");
            assertThat(outcome.err().lines()).anyMatch(line -> line.startsWith("\tat "));
        }
    }

    static Stream<List<String>> adminCommands() {
        return Stream.of(
                List.of("revoke", "--scope", "sub", "--issuer", "https://issuer.test", "--value", "alice"),
                List.of("restore", "--scope", "sub", "--issuer", "https://issuer.test", "--value", "alice"),
                List.of("status", "3f1c6b9e-0000-4000-8000-000000000000"));
    }

    @ParameterizedTest
    @MethodSource("adminCommands")
    void nothing_listening_is_one_sentence_and_exit_3(List<String> command) throws IOException {
        String url = "http://127.0.0.1:" + freePort();

        Outcome outcome = run(admin(command, "--admin-url", url, ADMIN));

        assertThat(outcome.status()).isEqualTo(3);
        assertThat(outcome.err()).isEqualTo(line("jwt-sidecar " + command.get(0) + ": cannot reach the admin API at " + url
                + ": connection refused, nothing listens there; start the sidecar with its admin API enabled, "
                + "or point --admin-url at one"));
        assertThat(outcome.out()).isEmpty();
        outcome.hasNoStackTrace();
    }

    @ParameterizedTest
    @MethodSource("adminCommands")
    void no_answer_in_time_is_one_sentence_and_exit_3(List<String> command) throws IOException {
        // The kernel completes the connection into the backlog; nothing ever accepts it or answers.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort();

            Outcome outcome = run(admin(command, "--admin-url", url, ADMIN, "--timeout", "1"));

            assertThat(outcome.status()).isEqualTo(3);
            assertThat(outcome.err()).isEqualTo(line("jwt-sidecar " + command.get(0) + ": the admin API at " + url
                    + " did not answer within 1 s; check that --admin-url points at the admin API, or raise --timeout"));
            outcome.hasNoStackTrace();
        }
    }

    @ParameterizedTest
    @MethodSource("adminCommands")
    void no_credential_is_exit_2(List<String> command) throws IOException {
        Outcome outcome = run(admin(command, "--admin-url", "http://127.0.0.1:" + freePort(), "--admin-token="));

        assertThat(outcome.status()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo(line("jwt-sidecar " + command.get(0)
                + ": no admin credential: pass --admin-token or set JWT_SIDECAR_ADMIN_TOKEN"));
        outcome.hasNoStackTrace();
    }

    @ParameterizedTest
    @MethodSource("adminCommands")
    void an_admin_url_that_is_no_http_url_is_exit_2(List<String> command) {
        Outcome outcome = run(admin(command, "--admin-url", "127.0.0.1:8182", ADMIN));

        assertThat(outcome.status()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo(line("jwt-sidecar " + command.get(0) + ": --admin-url '127.0.0.1:8182' is not "
                + "an http:// or https:// URL with a host; pass one such as http://127.0.0.1:8182; see 'jwt-sidecar "
                + command.get(0) + " --help'"));
        outcome.hasNoStackTrace();
    }

    @Test
    void a_missing_option_is_one_line_pointing_at_help() {
        Outcome outcome = run("revoke", "--scope", "sub", ADMIN);

        assertThat(outcome.status()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo(line("jwt-sidecar revoke: Missing required option: '--issuer=<issuer>'; "
                + "see 'jwt-sidecar revoke --help'"));
    }

    private Outcome token(Path key) {
        return run(Stream.concat(Stream.of("token", "--private-key", key.toString()), Stream.of(TOKEN_CLAIMS))
                .toArray(String[]::new));
    }

    private static String[] admin(List<String> command, String... options) {
        return Stream.concat(command.stream(), Stream.of(options)).toArray(String[]::new);
    }

    /** A loopback port nothing listens on: bound by the system, then released. */
    /** The lines the command itself wrote (the sidecar's own log lines may share stderr). */
    private static List<String> commandLines(Outcome outcome, String command) {
        return outcome.err().lines().filter(l -> l.startsWith("jwt-sidecar " + command + ": ")).toList();
    }

    @Test
    void run_on_a_port_another_process_holds_is_one_sentence_and_exit_4() throws IOException {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = busy.getLocalPort();
            Path config = dir.resolve("sidecar.yaml");
            Files.writeString(config, io.jwtsidecar.testing.TestSidecars.yaml("cli", "127.0.0.1:1", dir.resolve("store"), false)
                    .replace("api:\n  port: 0\n", "api:\n  port: " + port + "\n"));

            Outcome outcome = run("run", "--config", config.toString());

            assertThat(outcome.status()).as(outcome.err()).isEqualTo(4);
            assertThat(commandLines(outcome, "run")).containsExactly("jwt-sidecar run: api.port: cannot listen on 127.0.0.1:"
                    + port + ": the port is in use by another process; stop it, or set api.port (JWT_SIDECAR_API_PORT) "
                    + "to a free port");
            outcome.hasNoStackTrace();
        }
    }

    @Test
    void dev_on_a_port_another_process_holds_names_its_own_flags_and_exits_4() throws IOException {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = busy.getLocalPort();

            Outcome outcome = run("dev", "--api-port", String.valueOf(port), "--admin-port", "0");

            assertThat(outcome.status()).as(outcome.err()).isEqualTo(4);
            assertThat(commandLines(outcome, "dev")).containsExactly("jwt-sidecar dev: cannot listen on 127.0.0.1:" + port
                    + ": the port is in use by another process; stop it, or choose other ports with --api-port and "
                    + "--admin-port");
            outcome.hasNoStackTrace();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    private static String line(String text) {
        return text + System.lineSeparator();
    }

    @Test
    void check_config_names_an_issuers_decryption_keys_by_kid_and_algorithm_and_never_their_material() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String pem = Pem.encode("PRIVATE KEY", rsa.generateKeyPair().getPrivate().getEncoded());
        Files.writeString(dir.resolve("enc.pem"), pem);
        Path config = Files.writeString(dir.resolve("enc.yaml"), MinimalConfig.KAFKA + MinimalConfig.ISSUERS
                + "    decryptionKeys:\n"
                + "      - kid: enc-1\n"
                + "        alg: RSA-OAEP-256\n"
                + "        pemFile: enc.pem\n"
                + "    encryption: required\n");

        Outcome outcome = run("check-config", config.toString());

        assertThat(outcome.status()).as(outcome.err()).isZero();
        assertThat(outcome.out()).contains("encrypted tokens required with decryption keys [enc-1 (RSA-OAEP-256)]")
                .doesNotContain(pem.lines().skip(1).findFirst().orElseThrow());
    }
}
