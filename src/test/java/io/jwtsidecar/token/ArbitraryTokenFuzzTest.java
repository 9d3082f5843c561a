package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any string as a bearer token: the verifier answers with a verdict (never an exception, never
 * the catch-all for an unexpected one), and accepts nothing but the one good HS256 token, which
 * is in the seed corpus so that the fuzzer starts from a string that passes every check.
 */
class ArbitraryTokenFuzzTest {
    private final FuzzIssuers issuers = new FuzzIssuers();
    private final String good = FuzzIssuers.validHs256();

    @FuzzTest(maxDuration = "2s")
    void everyStringGetsAVerdict(FuzzedDataProvider data) {
        String token = data.consumeRemainingAsString();

        VerificationOutcome outcome = FuzzIssuers.judged(issuers.verifier(), token);

        if (outcome.isAccepted()) {
            assertThat(token).isEqualTo(good);
        }
    }
}
