package io.jwtsidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What every section reader of one document shares: the document's tree (interpolated and with
 * the environment's overrides applied), the directory relative paths resolve against, and the
 * one list of errors. A key is read through its declared type; a problem joins the list and the
 * reader goes on, so the loader reports every error at once.
 */
final class ReadContext {
    private final ObjectNode root;
    private final Path baseDir;
    private final List<String> errors = new ArrayList<>();

    ReadContext(ObjectNode root, Path baseDir) {
        this.root = root;
        this.baseDir = baseDir;
    }

    ObjectNode root() {
        return root;
    }

    /** The errors found so far; section readers add to it. */
    List<String> errors() {
        return errors;
    }

    Optional<String> text(ConfigKey<?> key) {
        JsonNode n = at(key.name());
        if (n == null || n.isNull()) {
            return Optional.ofNullable(key.defaultValue());
        }
        if (n.isContainerNode()) {
            errors.add(key.name() + ": must be a single value");
            return Optional.ofNullable(key.defaultValue());
        }
        return Optional.of(n.asText());
    }

    /** The key's value through its type (its default when unset); only for keys with a default. */
    <T> T read(ConfigKey<T> key) {
        return readOptional(key).orElseThrow(() -> new IllegalStateException(key.name() + " has no default"));
    }

    /** The key's value through its type, its default, or empty for an unset key without one. */
    <T> Optional<T> readOptional(ConfigKey<T> key) {
        return text(key).map(v -> checked(key.name(), key.type().parse(v)));
    }

    /** A key of one list entry ({@code issuers[0].clockSkew}) through its type, or its default. */
    <T> T readIn(ObjectNode n, String at, ConfigKey<T> key) {
        String v = n.has(key.name()) ? n.get(key.name()).asText() : key.defaultValue();
        return checked(at + "." + key.name(), key.type().parse(v));
    }

    /** The value read; its problem, if any, joins the errors under the key's path. */
    <T> T checked(String path, ConfigType.Parsed<T> parsed) {
        if (parsed.problem() != null) {
            errors.add(path + ": " + parsed.problem());
        }
        return parsed.value();
    }

    List<String> stringList(ObjectNode n, String at, String field) {
        JsonNode v = n.get(field);
        List<String> result = new ArrayList<>();
        if (v == null || v.isNull()) {
            return result;
        }
        if (v.isTextual()) {
            result.add(v.textValue());
            return result;
        }
        if (!v.isArray()) {
            errors.add(at + "." + field + ": must be a list of strings");
            return result;
        }
        for (JsonNode e : v) {
            if (!e.isValueNode() || e.isNull()) {
                errors.add(at + "." + field + ": must be a list of strings");
                return result;
            }
            result.add(e.asText());
        }
        return result;
    }

    JsonNode at(String dotted) {
        String[] parts = dotted.split("\\.");
        JsonNode n = root;
        for (String p : parts) {
            if (n == null || !n.isObject()) {
                return null;
            }
            n = n.get(p);
        }
        return n;
    }

    /** @param key the setting that names the file, relative to the entry it is in */
    String readFile(String key, String path) {
        if (path == null) {
            throw new IllegalArgumentException("file path is empty");
        }
        return ConfigFiles.read(key, resolve(path));
    }

    Path resolve(String path) {
        Path p = Path.of(path);
        return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p).normalize();
    }

    static String scalar(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

}
