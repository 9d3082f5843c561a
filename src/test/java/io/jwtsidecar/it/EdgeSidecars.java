package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.AUDIENCE;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.testing.EdgeProxies;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.nio.file.Path;
import java.util.Map;

/** The sidecars behind the proxies of the edge tests (NginxIT, CaddyIT). */
final class EdgeSidecars {
    private EdgeSidecars() {
    }

    /** A test sidecar that maps the email claim to X-User-Email. */
    static String sidecarYaml(String id, String bootstrap, Path dataDir, boolean admin) {
        return TestSidecars.yaml(id, bootstrap, dataDir, admin)
                .replace("api:\n  port: 0\n", "api:\n  port: 0\n  claimHeaders:\n    X-User-Email: email\n");
    }

    static Sidecar sidecar(KafkaBroker kafka, String id, Path dir, MutableClock clock) throws Exception {
        return TestSidecars.startReady(TestSidecars.parse(sidecarYaml(id, kafka.bootstrapServers(), dir.resolve(id), true),
                dir), clock);
    }

    /**
     * A sidecar whose Kafka cannot be reached: its revocation data is never confirmed current, so
     * it is stale from the start (fail-closed: 503; fail-open: verified with X-Revocation-Stale).
     */
    static Sidecar staleSidecar(String id, Path dir, String onStale, MutableClock clock) throws Exception {
        String yaml = sidecarYaml(id, "127.0.0.1:" + EdgeProxies.freePort(), dir.resolve(id), false)
                .replace("revocation:\n", "revocation:\n  onStale: " + onStale + "\n");
        return Sidecar.start(new ConfigLoader(Map.of()).parse(yaml, dir), clock);
    }

    static String noSubject(long iat, String extraClaims) {
        return TestSidecars.tokenWithPayload("{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\",\"iat\":" + iat
                + ",\"exp\":" + (iat + 600) + extraClaims + "}");
    }
}
