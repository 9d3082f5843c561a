package io.jwtsidecar.app;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.TestSidecars;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * A store directory that cannot be made is the operator's to fix: one sentence naming the key,
 * the path and the reason, and no claim of moving the store aside and rebuilding it.
 */
class UnwritableDataDirTest {
    @Test
    void a_data_dir_that_cannot_be_created_stops_the_start_with_one_sentence_naming_key_path_and_reason() {
        // /proc takes no new directories, even for root.
        Path dataDir = Path.of("/proc/jwt-sidecar-test/revocations");
        var config = TestSidecars.parse(TestSidecars.yaml("unwritable", "127.0.0.1:1", dataDir, false), dataDir);

        try (LogCapture errors = LogCapture.warn(Sidecar.class.getName())) {
            assertThatThrownBy(() -> Sidecar.start(config, Clock.systemUTC()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("revocation.dataDir: cannot create " + dataDir + ": no such file or directory; set "
                            + "revocation.dataDir (JWT_SIDECAR_REVOCATION_DATA_DIR) to a directory this user can write");
            org.assertj.core.api.Assertions.assertThat(errors.messages()).noneMatch(m -> m.contains("rebuilding"));
        }
    }
}
