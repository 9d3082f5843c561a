package io.jwtsidecar.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of docs/ARCHITECTURE.md ("The folder list is the architecture"), checked on
 * the compiled main classes: a change that breaks one fails here, naming the class and the call.
 */
class PackageRulesTest {
    private static final String VERTX = "io.vertx..";
    private static final String NETTY = "io.netty..";
    private static final String KAFKA = "org.apache.kafka..";
    private static final String ROCKSDB = "org.rocksdb..";
    private static final String FABRIC8 = "io.fabric8..";

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jwtsidecar");
    }

    @Test
    void the_verifier_the_policy_and_the_rules_know_no_http_library_kafka_or_vertx() {
        noClasses().that().resideInAnyPackage("io.jwtsidecar.token..", "io.jwtsidecar.authz..",
                        "io.jwtsidecar.revocation..", "io.jwtsidecar.idp..", "io.jwtsidecar.admin..", "io.jwtsidecar.logging..")
                .should().dependOnClassesThat().resideInAnyPackage(VERTX, NETTY, KAFKA)
                .because("they are the product's logic, tested and benchmarked without a server or a broker")
                .check(main);
    }

    @Test
    void config_depends_on_nothing_above_it() {
        noClasses().that().resideInAPackage("io.jwtsidecar.config..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jwtsidecar.http..", "io.jwtsidecar.app..",
                        "io.jwtsidecar.cli..", "io.jwtsidecar.feed..", "io.jwtsidecar.inject..", "io.jwtsidecar.dev..",
                        "io.jwtsidecar.tracing..", "io.jwtsidecar.metrics..", VERTX, KAFKA, ROCKSDB)
                .because("configuration is read before anything runs, by check-config as by run")
                .check(main);
    }

    @Test
    void config_is_data_and_builds_nothing_that_fetches_or_runs() {
        noClasses().that().resideInAPackage("io.jwtsidecar.config..")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.jwtsidecar.token.keys.RemoteJwksSource")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.jwtsidecar.token.keys.KeyFetching")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.jwtsidecar.token.keys.BoundedGet")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.jwtsidecar.token.keys.KeySource")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.jwtsidecar.token.IssuerPolicy")
                .orShould().dependOnClassesThat().resideInAnyPackage("java.net.http..")
                .because("a configuration is plain data (it may be loaded, compared and printed without side "
                        + "effects); the composition root builds the live key sources from it")
                .check(main);
    }

    @Test
    void only_the_store_sees_rocksdb() {
        noClasses().that().resideOutsideOfPackage("io.jwtsidecar.revocation..")
                .should().dependOnClassesThat().resideInAPackage(ROCKSDB)
                .because("one owner per native resource: RocksDbRevocationStore")
                .check(main);
    }

    @Test
    void only_the_feed_the_composition_root_trace_headers_and_dev_see_kafka() {
        noClasses().that().resideOutsideOfPackages("io.jwtsidecar.feed..", "io.jwtsidecar.app..",
                        "io.jwtsidecar.tracing..", "io.jwtsidecar.dev..")
                .should().dependOnClassesThat().resideInAPackage(KAFKA)
                .because("http talks to the feed's publisher and gets a PublishReceipt, never a Kafka type")
                .check(main);
    }

    @Test
    void only_injection_sees_the_kubernetes_model() {
        noClasses().that().resideOutsideOfPackage("io.jwtsidecar.inject..")
                .should().dependOnClassesThat().resideInAPackage(FABRIC8)
                .because("the webhook's HTTP side hands inject bytes and gets a status and a body back")
                .check(main);
    }

    @Test
    void injection_knows_nothing_of_http_or_vertx() {
        noClasses().that().resideInAPackage("io.jwtsidecar.inject..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jwtsidecar.http..", VERTX, NETTY)
                .check(main);
    }

    @Test
    void nothing_but_the_entry_points_depends_on_the_command_line_or_the_composition_root() {
        noClasses().that().resideOutsideOfPackages("io.jwtsidecar.app..", "io.jwtsidecar.cli..", "io.jwtsidecar.dev..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jwtsidecar.app..", "io.jwtsidecar.cli..")
                .check(main);
    }
}
