package io.jwtsidecar.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds one Security Event Token (RFC 8417) with nimbus-jose-jwt, an implementation independent
 * of the sidecar's: SSF 1.0 shape by default (typ {@code secevent+jwt}, {@code iss}, {@code aud},
 * {@code iat}, {@code jti}, top-level {@code sub_id}, one event), with a knob for every way a SET
 * can be wrong. Obtain one from {@link SsfTransmitter#set(String, Map)}; not thread-safe.
 */
public final class SetBuilder {
    private final Map<String, Object> claims = new LinkedHashMap<>();
    private final Map<String, Object> events = new LinkedHashMap<>();
    private ECKey key;
    private String typ = SsfTransmitter.SET_TYPE;
    private boolean unsigned;
    private boolean eventsNotAnObject;
    private boolean badSignature;

    SetBuilder(ECKey key, String issuer, String audience, long iat) {
        this.key = key;
        claims.put("iss", issuer);
        claims.put("aud", audience);
        claims.put("iat", iat);
        claims.put("jti", UUID.randomUUID().toString());
    }

    /** Adds an event of {@code type} with {@code payload} (the order of events is kept). */
    public SetBuilder event(String type, Map<String, ?> payload) {
        events.put(type, new LinkedHashMap<>(payload));
        return this;
    }

    /** Sets the top-level SSF 1.0 {@code sub_id} (see {@link Subjects}). */
    public SetBuilder subject(Map<String, ?> subId) {
        claims.put("sub_id", subId);
        return this;
    }

    public SetBuilder jti(String jti) {
        return claim("jti", jti);
    }

    public String jti() {
        return (String) claims.get("jti");
    }

    public SetBuilder iat(long iat) {
        return claim("iat", iat);
    }

    public SetBuilder issuer(String iss) {
        return claim("iss", iss);
    }

    /** {@code aud} as given: a string, a list of strings, or anything else. */
    public SetBuilder audience(Object aud) {
        return claim("aud", aud);
    }

    public SetBuilder txn(String txn) {
        return claim("txn", txn);
    }

    /** Sets {@code name} to {@code value}, or removes it when {@code value} is null. */
    public SetBuilder claim(String name, Object value) {
        if (value == null) {
            claims.remove(name);
        } else {
            claims.put(name, value);
        }
        return this;
    }

    /** The JOSE {@code typ} header; null leaves it out. */
    public SetBuilder typ(String typ) {
        this.typ = typ;
        return this;
    }

    /** Signs with another key (same kid as the transmitter's, so only the signature is wrong). */
    public SetBuilder signedWith(ECKey other) {
        this.key = other;
        return this;
    }

    /** Signs properly, then flips a bit of the signature. */
    public SetBuilder badSignature() {
        this.badSignature = true;
        return this;
    }

    /** An unsecured JWT: {@code alg} {@code none}, empty signature. */
    public SetBuilder algNone() {
        this.unsigned = true;
        return this;
    }

    /** {@code events} as an array of the event types instead of an object. */
    public SetBuilder eventsAsArray() {
        this.eventsNotAnObject = true;
        return this;
    }

    /** The compact serialization. */
    public String build() {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
        claims.forEach(b::claim);
        b.claim("events", eventsNotAnObject ? new ArrayList<>(events.keySet()) : events);
        JWTClaimsSet set = b.build();
        if (unsigned) {
            PlainHeader.Builder h = new PlainHeader.Builder();
            if (typ != null) {
                h.type(new JOSEObjectType(typ));
            }
            return new PlainJWT(h.build(), set).serialize();
        }
        JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID());
        if (typ != null) {
            h.type(new JOSEObjectType(typ));
        }
        SignedJWT jwt = new SignedJWT(h.build(), set);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a SET failed", e);
        }
        String compact = jwt.serialize();
        if (!badSignature) {
            return compact;
        }
        int dot = compact.lastIndexOf('.');
        char c = compact.charAt(dot + 1);
        return compact.substring(0, dot + 1) + (c == 'A' ? 'B' : 'A') + compact.substring(dot + 2);
    }

    /** SSF 1.0 subject identifiers (RFC 9493 formats, and SSF's {@code complex}). */
    public static final class Subjects {
        private Subjects() {
        }

        public static Map<String, Object> issSub(String iss, String sub) {
            return ordered("format", "iss_sub", "iss", iss, "sub", sub);
        }

        public static Map<String, Object> opaque(String id) {
            return ordered("format", "opaque", "id", id);
        }

        public static Map<String, Object> email(String email) {
            return ordered("format", "email", "email", email);
        }

        /** A {@code complex} subject of a user and a session (either may be null). */
        public static Map<String, Object> complex(Map<String, ?> user, Map<String, ?> session) {
            Map<String, Object> m = ordered("format", "complex");
            if (user != null) {
                m.put("user", user);
            }
            if (session != null) {
                m.put("session", session);
            }
            return m;
        }

        private static Map<String, Object> ordered(Object... kv) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) {
                m.put((String) kv[i], kv[i + 1]);
            }
            return m;
        }
    }

    /** The JSON text of {@code map} (for tests that write payloads by hand). */
    public static String json(Map<String, ?> map) {
        return JSONObjectUtils.toJSONString(new LinkedHashMap<>(map));
    }

    /** Event types of {@code set}'s {@code events} claim, in order (for assertions). */
    public static List<String> eventTypes(String set) {
        try {
            Map<String, Object> ev = JSONObjectUtils.getJSONObject(
                    SignedJWT.parse(set).getJWTClaimsSet().toJSONObject(), "events");
            return new ArrayList<>(ev.keySet());
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a SET: " + e.getMessage(), e);
        }
    }
}
