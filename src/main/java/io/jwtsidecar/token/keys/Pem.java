package io.jwtsidecar.token.keys;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The PEM text form of DER key material (RFC 7468), as openssl writes it: base64 in lines of 64. */
public final class Pem {
    private Pem() {
    }

    /** @param type e.g. {@code PUBLIC KEY} or {@code PRIVATE KEY} */
    public static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
