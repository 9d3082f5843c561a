package io.jwtsidecar.revocation;

/**
 * The validity rules for a rule's issuer and value, shared by the event decoder and the admin
 * API so both refuse the same input with the same words.
 */
public final class RuleKeys {
    private RuleKeys() {
    }

    /** @throws IllegalArgumentException naming the field, when the pair cannot form a rule key */
    public static void check(RevocationScope scope, String issuer, String value) {
        checkText("issuer", issuer, false);
        if (scope == RevocationScope.ISSUER) {
            if (!value.isEmpty()) {
                throw new IllegalArgumentException("value: must be empty for scope issuer");
            }
        } else {
            checkText("value", value, false);
        }
    }

    private static void checkText(String field, String text, boolean mayBeEmpty) {
        if (text == null || (!mayBeEmpty && text.isEmpty())) {
            throw new IllegalArgumentException(field + ": required, non-empty");
        }
        if (text.length() > EventCodec.MAX_FIELD_LENGTH) {
            throw new IllegalArgumentException(field + ": longer than " + EventCodec.MAX_FIELD_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                throw new IllegalArgumentException(field + ": control characters are not allowed");
            }
        }
    }
}
