package io.jwtsidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What every section reader of one document shares: the document's tree (interpolated and with
 * the environment's overrides applied), the directory relative paths resolve against, and the
 * one list of errors. A key is read through its declared type; a problem joins the list and the
 * reader goes on, so the loader reports every error at once.
 */
final class ReadContext {
    private final ObjectNode root;
    private final @Nullable Path baseDir;
    private final List<String> errors = new ArrayList<>();

    ReadContext(ObjectNode root, @Nullable Path baseDir) {
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
        String v = n.has(key.name()) ? n.get(key.name()).asText() : key.declaredDefault();
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

    @Nullable JsonNode at(String dotted) {
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

    /**
     * @throws IllegalArgumentException naming the first member of {@code entry} not in {@code known},
     *                                  so a misspelt setting of a key entry is an error, not ignored
     */
    static void onlyKnownFields(ObjectNode entry, Collection<String> known) {
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new IllegalArgumentException("unknown key '" + f + "' (expected one of " + known + ")");
            }
        }
    }

    /** Reads one entry of a list of keys: the keys it yields (a JWKS file yields several). */
    @FunctionalInterface
    interface KeyEntryReader<K> {
        /**
         * @param at where the entry is, for error messages ({@code issuers[0].keys[1]})
         * @throws UnreadableFile           when a file it names cannot be read
         * @throws IllegalArgumentException when the entry does not make a usable key
         */
        List<K> read(String at, ObjectNode entry);
    }

    /**
     * A list of key entries ({@code keys}, {@code decryptionKeys}): every entry a mapping, each
     * read by {@code reader}; a problem joins the error list naming the entry, and the other
     * entries are still read, so one run reports every bad key.
     *
     * @param listAt       where the list is ({@code issuers[0].keys})
     * @param emptyProblem the error when the list is missing or empty
     */
    <K> List<K> keyEntries(String listAt, @Nullable JsonNode list, String emptyProblem, KeyEntryReader<K> reader) {
        List<K> keys = new ArrayList<>();
        if (list == null || !list.isArray() || list.isEmpty()) {
            errors.add(listAt + ": " + emptyProblem);
            return keys;
        }
        for (int i = 0; i < list.size(); i++) {
            String at = listAt + "[" + i + "]";
            JsonNode entry = list.get(i);
            if (!entry.isObject()) {
                errors.add(at + ": must be a mapping");
                continue;
            }
            try {
                keys.addAll(reader.read(at, (ObjectNode) entry));
            } catch (UnreadableFile e) {
                errors.add(at + "." + e.key() + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                errors.add(at + ": " + e.getMessage());
            }
        }
        return keys;
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

    static @Nullable String scalar(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }


    /** One mapping of a list, where it is, and the errors for its unknown keys. */
    record ListEntry(String at, JsonNode node, List<String> unknownKeys) {
    }

    /**
     * The mappings of the list at {@code path}, each with the errors for its unknown keys (the
     * caller reports them with the entry's own, in order); an absent list is empty, and a list
     * that is not one, or an entry that is not a mapping, is reported with what it should be.
     */
    List<ListEntry> listEntries(String path, List<ConfigKey<?>> keys, String listOf, String mappingWith) {
        List<ListEntry> entries = new ArrayList<>();
        JsonNode list = at(path);
        if (list == null || list.isNull()) {
            return entries;
        }
        if (!list.isArray()) {
            errors.add(path + ": must be a list of " + listOf);
            return entries;
        }
        for (int i = 0; i < list.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode n = list.get(i);
            if (!n.isObject()) {
                errors.add(at + ": must be a mapping with " + mappingWith);
                continue;
            }
            List<String> unknown = new ArrayList<>();
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (keys.stream().noneMatch(k -> k.name().equals(f))) {
                    unknown.add(at + "." + f + ": unknown key");
                }
            }
            entries.add(new ListEntry(at, n, unknown));
        }
        return entries;
    }

    /** A required value that must differ from the same key's value in every other entry; null when missing. */
    @Nullable String unique(String at, JsonNode n, ConfigKey<?> key, Set<String> seen) {
        String value = scalar(n, key.name());
        if (value == null || value.isBlank()) {
            errors.add(at + "." + key.name() + ": required");
        } else if (!seen.add(value)) {
            errors.add(at + "." + key.name() + ": '" + value + "' is configured twice");
        }
        return value;
    }

    /** A mapping flattened to dotted names (Kafka client settings, claim headers). */
    Map<String, String> passthrough(String path) {
        Map<String, String> result = new TreeMap<>();
        JsonNode n = at(path);
        if (n == null) {
            return result;
        }
        if (!n.isObject()) {
            errors.add(path + ": must be a mapping of Kafka client settings");
            return result;
        }
        flatten("", n, result);
        return result;
    }

    private void flatten(String prefix, JsonNode n, Map<String, String> into) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(name, e.getValue(), into);
            } else {
                into.put(name, e.getValue().asText());
            }
        }
    }
}
