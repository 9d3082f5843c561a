package io.jwtsidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.token.keys.FetchableUrl;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code signals.ssf.*}: the Shared Signals receiver. Present exactly when
 * {@code signals.ssf.issuer} is set; every other key is then checked against it: the transmitter
 * and every issuer it speaks for must be configured issuers (a rule for any other protects
 * nothing, and the transmitter's keys come from its issuer entry), and poll delivery needs a
 * fetchable metadata URL.
 */
final class SsfSection {
    /** The nested section, which the unknown-key check looks into. */
    static final String SECTION = "signals.ssf";

    private final ReadContext context;

    SsfSection(ReadContext context) {
        this.context = context;
    }

    /** Unknown keys under {@code signals.ssf}, as errors. */
    static List<String> unknownKeys(JsonNode ssf, Set<String> known) {
        List<String> unknown = new ArrayList<>();
        if (!ssf.isObject()) {
            unknown.add(SECTION + ": must be a mapping");
            return unknown;
        }
        for (Iterator<String> f = ssf.fieldNames(); f.hasNext(); ) {
            String name = SECTION + "." + f.next();
            if (!known.contains(name)) {
                unknown.add(name + ": unknown key");
            }
        }
        return unknown;
    }

    Optional<SidecarConfig.Ssf> read(List<IssuerSettings> issuers) {
        // Read (and so checked) whether or not the receiver is on: a bad value is an error either way.
        boolean push = context.read(ConfigKeys.SSF_PUSH);
        boolean poll = context.read(ConfigKeys.SSF_POLL);
        int maxEvents = context.read(ConfigKeys.SSF_POLL_MAX_EVENTS);
        Duration idleWait = context.read(ConfigKeys.SSF_POLL_IDLE_WAIT);
        Duration minBackoff = context.read(ConfigKeys.SSF_POLL_MIN_BACKOFF);
        Duration maxBackoff = context.read(ConfigKeys.SSF_POLL_MAX_BACKOFF);
        Duration timeout = context.read(ConfigKeys.SSF_POLL_TIMEOUT);
        Optional<String> issuer = context.text(ConfigKeys.SSF_ISSUER).filter(v -> !v.isBlank());
        if (issuer.isEmpty()) {
            return Optional.empty();
        }
        List<String> errors = context.errors();
        Set<String> configured = new LinkedHashSet<>();
        issuers.forEach(i -> configured.add(i.issuer()));
        String transmitter = issuer.get();
        if (!configured.contains(transmitter)) {
            errors.add(ConfigKeys.SSF_ISSUER.name() + ": '" + transmitter + "' must be one of issuers (its keys verify the SETs)");
        }
        Optional<String> audience = context.text(ConfigKeys.SSF_AUDIENCE).filter(v -> !v.isBlank());
        if (audience.isEmpty()) {
            errors.add(ConfigKeys.SSF_AUDIENCE.name() + ": required with " + ConfigKeys.SSF_ISSUER.name());
        }
        Set<String> speaksFor = new LinkedHashSet<>();
        speaksFor.add(transmitter);
        JsonNode section = context.at(SECTION);
        if (section instanceof ObjectNode n) {
            for (String other : context.stringList(n, SECTION, "speaksFor")) {
                if (!configured.contains(other)) {
                    errors.add(ConfigKeys.SSF_SPEAKS_FOR.name() + ": '" + other + "' is not one of issuers");
                }
                speaksFor.add(other);
            }
        }
        if (!push && !poll) {
            errors.add(ConfigKeys.SSF_POLL.name() + ": with " + ConfigKeys.SSF_PUSH.name()
                    + " false, the receiver takes no SETs; set one of them, or unset " + ConfigKeys.SSF_ISSUER.name());
        }
        URI configurationUrl = wellKnown(transmitter);
        Optional<String> given = context.text(ConfigKeys.SSF_CONFIGURATION_URL).filter(v -> !v.isBlank());
        try {
            configurationUrl = given.map(URI::create).orElse(configurationUrl);
            if (poll) {
                FetchableUrl.check(configurationUrl);
            }
        } catch (IllegalArgumentException e) {
            errors.add(ConfigKeys.SSF_CONFIGURATION_URL.name() + ": " + e.getMessage());
        }
        Optional<String> pushToken = context.text(ConfigKeys.SSF_PUSH_TOKEN).filter(v -> !v.isBlank());
        pushToken.filter(t -> t.length() < 32).ifPresent(t -> errors.add(ConfigKeys.SSF_PUSH_TOKEN.name()
                + ": must be at least 32 characters"));
        SidecarConfig.Ssf ssf = new SidecarConfig.Ssf(transmitter, audience.orElse(""), speaksFor, push, pushToken, poll,
                configurationUrl, context.text(ConfigKeys.SSF_POLL_TOKEN).filter(v -> !v.isBlank()), maxEvents, idleWait,
                minBackoff, maxBackoff, timeout);
        if (ssf.pollMinBackoff().compareTo(ssf.pollMaxBackoff()) > 0) {
            errors.add(ConfigKeys.SSF_POLL_MAX_BACKOFF.name() + ": must not be shorter than "
                    + ConfigKeys.SSF_POLL_MIN_BACKOFF.name());
        }
        return Optional.of(ssf);
    }

    /**
     * SSF 1.0 §7.2: {@code /.well-known/ssf-configuration} goes between the host and the issuer's
     * path ({@code https://idp.example/tenant} → {@code https://idp.example/.well-known/ssf-configuration/tenant}).
     */
    static URI wellKnown(String issuer) {
        try {
            URI uri = URI.create(issuer);
            String path = uri.getRawPath() == null || uri.getRawPath().equals("/") ? "" : uri.getRawPath();
            return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + "/.well-known/ssf-configuration" + path);
        } catch (IllegalArgumentException | NullPointerException e) {
            return URI.create("https://invalid.invalid/.well-known/ssf-configuration");
        }
    }
}
