package io.jwtsidecar.cli;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.app.StartRefused;
import io.jwtsidecar.config.ConfigException;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jwt-sidecar run --config FILE}: the production entry point, against an external Kafka cluster. */
@Command(name = "run", description = "Run the sidecar with a configuration file, against an external Kafka cluster.")
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "YAML configuration file.")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        SidecarConfig cfg;
        try {
            cfg = new ConfigLoader(System.getenv()).load(config);
        } catch (ConfigException e) {
            return ConfigErrors.print(config, e);
        }
        Sidecar sidecar;
        try {
            sidecar = Sidecar.start(cfg, Clock.systemUTC());
        } catch (StartRefused e) {
            return new UserError(ExitStatus.REFUSED, e.sentence(), e).report(spec);
        }
        ShutdownWait.awaitShutdown(sidecar);
        return 0;
    }
}
