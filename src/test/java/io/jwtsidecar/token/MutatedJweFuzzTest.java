package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzer-chosen edits of a valid encrypted token (a JWE made by jjwt around a good JWS): whatever
 * the edits, only the original string is accepted. A second string accepted for the same token
 * (lenient base64url in a segment jjwt decodes, a header change its tag does not cover) would be
 * a token changed and still good; and no edit may reach the catch-all rejection.
 */
class MutatedJweFuzzTest {
    private static final String EDIT_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";

    private final FuzzIssuers issuers = new FuzzIssuers();
    private final String original = FuzzIssuers.validJwe();

    @FuzzTest(maxDuration = "2s")
    void onlyTheOriginalIsAccepted(FuzzedDataProvider data) {
        StringBuilder token = new StringBuilder(original);
        int edits = data.consumeInt(1, 4);
        for (int i = 0; i < edits && data.remainingBytes() > 0; i++) {
            int at = data.consumeInt(0, token.length());
            char c = EDIT_ALPHABET.charAt(data.consumeInt(0, EDIT_ALPHABET.length() - 1));
            switch (data.consumeInt(0, 2)) {
                case 0 -> {
                    if (at < token.length()) {
                        token.setCharAt(at, c);
                    }
                }
                case 1 -> token.insert(at, c);
                default -> {
                    if (at < token.length()) {
                        token.deleteCharAt(at);
                    }
                }
            }
        }
        String mutated = token.toString();

        VerificationOutcome outcome = FuzzIssuers.judged(issuers.verifier(), mutated);

        if (mutated.equals(original)) {
            assertThat(outcome.isAccepted()).as(outcome.toString()).isTrue();
        } else {
            assertThat(outcome.isAccepted()).as("accepted a changed token: %s", mutated).isFalse();
        }
    }
}
