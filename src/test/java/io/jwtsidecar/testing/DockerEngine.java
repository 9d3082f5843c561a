package io.jwtsidecar.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code docker} command line, for tests that build and run the image. Every container runs
 * with {@code --network host} (no bridge networks here: their addresses are outside loopback).
 */
public final class DockerEngine {
    /** The base made from Debian packages by deploy/image/debian-base.sh, for both FROM lines. */
    public static final String DEBIAN_BASE = "jwt-sidecar-base/debian-jre:bookworm";

    /** What a command printed (stdout and stderr together) and its exit status. */
    public record Result(int code, String output) {
        public Result orFail(String what) {
            if (code != 0) {
                throw new AssertionError(what + " failed with status " + code + ":\n" + output);
            }
            return this;
        }
    }

    private final Path scratch;
    private int runs;

    public DockerEngine(Path scratch) {
        this.scratch = scratch;
    }

    /** Fails with what to do when no engine answers: a test that needs one never passes without it. */
    public void requireEngine() throws IOException, InterruptedException {
        Result info = run(List.of("docker", "info", "--format", "{{.ServerVersion}}"), 30);
        if (info.code() != 0) {
            throw new AssertionError("no Docker engine answers (`docker info`): start one as root with "
                    + "`dockerd --bridge=none --iptables=false --ip-masq=false &` (README, Tests)\n" + info.output());
        }
    }

    /** Makes {@link #DEBIAN_BASE} if it is missing (about a minute; waits for a build already running). */
    public void ensureDebianBase() throws IOException, InterruptedException {
        run(List.of("bash", "deploy/image/debian-base.sh", DEBIAN_BASE), 600).orFail("deploy/image/debian-base.sh");
    }

    /** {@code docker ARGS...}, waiting at most {@code seconds}. */
    public Result docker(int seconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("docker");
        command.addAll(List.of(args));
        return run(command, seconds);
    }

    /** Output goes to a file: a pipe nobody reads while the process runs could fill up and stall it. */
    public Result run(List<String> command, int seconds) throws IOException, InterruptedException {
        Path output = Files.createTempFile(scratch, "docker-" + ++runs + "-", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean exited = p.waitFor(seconds, TimeUnit.SECONDS);
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        if (!exited) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("did not finish within " + seconds + " s: " + command + "\n" + printed);
        }
        return new Result(p.exitValue(), printed);
    }
}
