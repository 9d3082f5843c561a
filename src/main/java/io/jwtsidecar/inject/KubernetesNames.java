package io.jwtsidecar.inject;

import java.util.regex.Pattern;

/** The shapes of the names the webhook accepts from options and annotations. */
final class KubernetesNames {
    /** RFC 1123 subdomain, as Kubernetes requires of ConfigMap and Secret names. */
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** Loose on purpose: registry/path[:tag][@digest], no whitespace or control characters. */
    private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]*");

    private KubernetesNames() {
    }

    static boolean isDnsSubdomain(String name) {
        return name != null && name.length() <= 253 && DNS_SUBDOMAIN.matcher(name).matches();
    }

    static boolean isImage(String image) {
        return image != null && image.length() <= 512 && IMAGE.matcher(image).matches();
    }
}
