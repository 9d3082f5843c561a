package io.jwtsidecar.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * A PKCS#8 PEM private key file as {@code token} reads it. Each way the file can be wrong (none
 * there, unreadable, a public key or certificate, the older one-algorithm PEM forms, encrypted,
 * anything else) becomes a {@link UserError} that says so and what to pass instead.
 */
final class PrivateKeyFile {
    private static final String MAKE_ONE = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem";

    private PrivateKeyFile() {
    }

    static PrivateKey read(Path file) throws UserError {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UserError(ExitStatus.USAGE, "no private key file at " + file
                    + "; pass --private-key with the path of a PKCS#8 PEM private key", e);
        } catch (AccessDeniedException e) {
            throw new UserError(ExitStatus.USAGE, "cannot read the private key file " + file
                    + " (permission denied); make it readable by this user", e);
        } catch (IOException e) {
            throw new UserError(ExitStatus.USAGE, "cannot read the private key file " + file + " ("
                    + UserError.reason(e) + "); pass --private-key with the path of a PKCS#8 PEM private key", e);
        }
        // Decoded leniently: a binary file must reach the "not a PEM private key" sentence, not fail on a charset.
        String pem = new String(bytes, StandardCharsets.ISO_8859_1);
        try {
            return parse(pem);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new UserError(ExitStatus.USAGE, file + " " + whatItIs(file, pem), e);
        }
    }

    /** The key in a PKCS#8 PEM text: EC, RSA or Ed25519, whichever its encoding is. */
    static PrivateKey parse(String pem) throws GeneralSecurityException {
        String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body));
        GeneralSecurityException last = null;
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("not an EC, RSA or Ed25519 PKCS#8 private key", last);
    }

    /** The rest of the sentence after the file name, from the PEM label it has (if any). */
    private static String whatItIs(Path file, String pem) {
        if (pem.contains("-----BEGIN PUBLIC KEY-----") || pem.contains("-----BEGIN CERTIFICATE-----")) {
            return "holds a public key, but a token is signed with the private key: "
                    + "pass the PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----) of that key pair";
        }
        if (pem.contains("-----BEGIN EC PRIVATE KEY-----") || pem.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            return "is a private key in the older one-algorithm PEM form, not PKCS#8: "
                    + "convert it with openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem and pass key.pem";
        }
        if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            return "is an encrypted private key: decrypt it with openssl pkcs8 -in " + file
                    + " -out key.pem and pass key.pem";
        }
        return "is not a PKCS#8 PEM private key (EC, RSA or Ed25519): pass a file that begins with "
                + "-----BEGIN PRIVATE KEY-----, such as one made with " + MAKE_ONE;
    }
}
