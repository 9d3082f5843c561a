package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The two jars of one build: jwt-sidecar.jar (production: what the image carries) holds no Kafka
 * broker, no Scala and no dev package; jwt-sidecar-dev.jar holds all of them, and dev mode.
 */
class ProductionJarIT {
    private static final Path PRODUCTION = Path.of("target", "jwt-sidecar.jar");
    private static final Path DEV = Path.of("target", "jwt-sidecar-dev.jar");
    /** Entry prefixes that only dev mode's in-JVM broker needs. */
    private static final List<String> BROKER_ONLY = List.of("scala/", "kafka/server/", "kafka/log/",
            "org/apache/kafka/raft/", "org/apache/kafka/metadata/", "org/apache/kafka/storage/",
            "org/apache/kafka/coordinator/", "org/apache/kafka/common/test/", "io/jwtsidecar/dev/", "org/junit/");

    @Test
    void the_production_jar_carries_no_broker_scala_or_dev_code() throws Exception {
        assertThat(entriesUnder(PRODUCTION)).as("entries under %s", BROKER_ONLY).isEmpty();
        try (ZipFile zip = new ZipFile(PRODUCTION.toFile())) {
            assertThat(zip.getEntry("io/jwtsidecar/app/Main.class")).isNotNull();
            assertThat(zip.getEntry("org/apache/kafka/clients/consumer/KafkaConsumer.class")).isNotNull();
            assertThat(zip.getEntry("io/jwtsidecar/http/openapi.yaml")).as("the admin API's document").isNotNull();
        }
    }

    @Test
    void the_dev_jar_carries_the_broker_and_dev_mode() throws Exception {
        List<String> found = entriesUnder(DEV);
        assertThat(found).anyMatch(n -> n.startsWith("scala/"));
        assertThat(found).anyMatch(n -> n.startsWith("kafka/server/"));
        assertThat(found).contains("io/jwtsidecar/dev/DevCommand.class");
    }

    @Test
    void dev_on_the_production_jar_says_which_jar_has_it_and_exits_2() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-jar", PRODUCTION.toString(), "dev", "--api-port", "0")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(output).isEqualTo(2);
        assertThat(output.strip()).isEqualTo("jwt-sidecar: dev mode is not in this jar, which carries no Kafka broker; "
                + "run it from the dev jar: java -jar jwt-sidecar-dev.jar dev");
    }

    @Test
    void warm_up_on_the_production_jar_verifies_tokens_over_http_without_kafka_and_exits_0() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-jar", PRODUCTION.toString(), "warm-up", "--rounds", "20")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("jwt-sidecar warm-up: 102 requests, 0 unexpected answers");
    }

    private static List<String> entriesUnder(Path jar) throws Exception {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(e -> e.getName())
                    .filter(n -> BROKER_ONLY.stream().anyMatch(n::startsWith)).toList();
        }
    }
}
