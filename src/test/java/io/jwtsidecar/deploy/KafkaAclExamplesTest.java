package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.config.ConfigKeys;
import io.jwtsidecar.testing.KafkaAclExamples;
import io.jwtsidecar.testing.KafkaAclExamples.Grant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.junit.jupiter.api.Test;

/**
 * The three statements of the Kafka ACLs say the same: the Strimzi KafkaUsers of deploy/k8s
 * (which KafkaAclsIT applies to a real broker and runs sidecars against), the kafka-acls.sh
 * commands and the table of deploy/kafka-acls/README.md; and they name the topics the sidecar
 * reads and writes by default.
 */
class KafkaAclExamplesTest {
    private static final String REVOCATIONS = ConfigKeys.KAFKA_TOPIC.defaultValue();
    private static final String STATUS = ConfigKeys.KAFKA_STATUS_TOPIC.defaultValue();

    private static Set<String> users(Set<Grant> grants) {
        return grants.stream().map(Grant::user).collect(Collectors.toSet());
    }

    @Test
    void the_strimzi_users_grant_the_two_principals_something_on_exactly_the_sidecars_default_topics() {
        Set<Grant> strimzi = KafkaAclExamples.strimziUsers();

        assertThat(users(strimzi)).containsExactlyInAnyOrder("jwt-sidecar", "jwt-sidecar-publisher");
        assertThat(strimzi.stream().map(g -> g.resource().name()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(REVOCATIONS, STATUS);
        assertThat(strimzi).as("every operation is one Kafka knows").noneMatch(g -> g.operation() == AclOperation.UNKNOWN);
    }

    @Test
    void acls_sh_defaults_to_the_same_topics_and_principals_as_the_sidecar_and_strimzi() {
        assertThat(KafkaAclExamples.scriptDefaults()).containsAllEntriesOf(Map.of("TOPIC", REVOCATIONS,
                "STATUS_TOPIC", STATUS, "SIDECAR", "jwt-sidecar", "PUBLISHER", "jwt-sidecar-publisher"));
    }

    @Test
    void acls_sh_grants_exactly_what_the_strimzi_users_grant() {
        assertThat(KafkaAclExamples.aclsScript()).as("acls.sh against kafka-users.yaml")
                .containsExactlyInAnyOrderElementsOf(KafkaAclExamples.strimziUsers());
    }

    @Test
    void the_readme_table_says_exactly_what_the_strimzi_users_grant() {
        Set<Grant> readme = KafkaAclExamples.readmeTable(Map.of("revocation topic", REVOCATIONS, "status topic", STATUS));

        assertThat(readme).as("README.md's table against kafka-users.yaml")
                .containsExactlyInAnyOrderElementsOf(KafkaAclExamples.strimziUsers());
    }

    @Test
    void only_publishers_may_write_revocations_and_only_they_may_read_the_fleet_status() {
        // The threat model (docs/ARCHITECTURE.md): sidecars read the revocation topic and write only the status topic.
        Set<Grant> strimzi = KafkaAclExamples.strimziUsers();

        assertThat(strimzi).filteredOn(g -> g.resource().name().equals(REVOCATIONS) && g.operation() == AclOperation.WRITE)
                .extracting(Grant::user).containsExactly("jwt-sidecar-publisher");
        assertThat(strimzi).filteredOn(g -> g.resource().name().equals(STATUS) && g.operation() == AclOperation.READ)
                .extracting(Grant::user).containsExactly("jwt-sidecar-publisher");
        assertThat(strimzi).filteredOn(g -> g.user().equals("jwt-sidecar")).extracting(Grant::operation)
                .doesNotContain(AclOperation.ALL, AclOperation.ALTER, AclOperation.ALTER_CONFIGS, AclOperation.DELETE,
                        AclOperation.CREATE);
    }
}
