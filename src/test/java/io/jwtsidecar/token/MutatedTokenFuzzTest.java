package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzer-chosen edits of a valid signed token: whatever the edits, the verifier accepts the
 * result only when it is the original string, byte for byte. A second string accepted for the
 * same signature (lenient base64, ignored bytes, a header the signature does not cover) would let
 * anyone change a token and keep it valid.
 */
class MutatedTokenFuzzTest {
    private static final String EDIT_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";

    private final FuzzIssuers issuers = new FuzzIssuers();
    private final String hs256 = FuzzIssuers.validHs256();
    private final String es256 = issuers.validEs256();

    @FuzzTest(maxDuration = "2s")
    void onlyTheOriginalIsAccepted(FuzzedDataProvider data) {
        String original = data.consumeBoolean() ? hs256 : es256;
        StringBuilder token = new StringBuilder(original);
        int edits = data.consumeInt(1, 8);
        for (int i = 0; i < edits && data.remainingBytes() > 0; i++) {
            edit(token, data);
        }
        String mutated = token.toString();

        VerificationOutcome outcome = FuzzIssuers.judged(issuers.verifier(), mutated);

        if (mutated.equals(original)) {
            assertThat(outcome.isAccepted()).as(outcome.toString()).isTrue();
        } else {
            assertThat(outcome.isAccepted()).as("accepted a changed token: %s", mutated).isFalse();
        }
    }

    /** One edit: replace, insert or delete a character, or swap two; characters mostly from base64url. */
    private static void edit(StringBuilder token, FuzzedDataProvider data) {
        int at = data.consumeInt(0, token.length());
        char c = data.consumeBoolean() ? EDIT_ALPHABET.charAt(data.consumeInt(0, EDIT_ALPHABET.length() - 1))
                : data.consumeChar();
        switch (data.consumeInt(0, 3)) {
            case 0 -> {
                if (at < token.length()) {
                    token.setCharAt(at, c);
                }
            }
            case 1 -> token.insert(at, c);
            case 2 -> {
                if (at < token.length()) {
                    token.deleteCharAt(at);
                }
            }
            default -> {
                int other = data.consumeInt(0, token.length());
                if (at < token.length() && other < token.length()) {
                    char a = token.charAt(at);
                    token.setCharAt(at, token.charAt(other));
                    token.setCharAt(other, a);
                }
            }
        }
    }
}
