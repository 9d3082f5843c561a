package io.jwtsidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${NAME}} and {@code ${NAME:-default}} in any string of a configuration, replaced from the
 * environment before anything is read. Remembers what it could not replace, and where, since
 * whether that is an error depends on the section (a switched-off admin API reads nothing).
 */
final class Interpolation {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    /** A {@code ${NAME}} without a value, at {@code path}. */
    record Unset(String path, String name) {
    }

    private final Map<String, String> env;
    private final List<Unset> unset = new ArrayList<>();
    private final Set<String> referenced = new HashSet<>();

    Interpolation(Map<String, String> env) {
        this.env = env;
    }

    /** The variables used without a value, in the order met. */
    List<Unset> unset() {
        return unset;
    }

    /** Every variable the text names, set or not: such a JWT_SIDECAR_* variable is no misspelt setting. */
    Set<String> referenced() {
        return referenced;
    }

    /** Replaces ${NAME} and ${NAME:-default} in every string of the tree. */
    void interpolate(JsonNode node, String path) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode child = o.get(name);
                String childPath = path.isEmpty() ? name : path + "." + name;
                if (child.isTextual()) {
                    o.set(name, new TextNode(substitute(childPath, child.textValue())));
                } else {
                    interpolate(child, childPath);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode child = node.get(i);
                String childPath = path + "[" + i + "]";
                if (child.isTextual()) {
                    ((ArrayNode) node).set(i,
                            new TextNode(substitute(childPath, child.textValue())));
                } else {
                    interpolate(child, childPath);
                }
            }
        }
    }

    private String substitute(String path, String text) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            referenced.add(m.group(1));
            String value = env.get(m.group(1));
            if (value == null) {
                value = m.group(2);
            }
            if (value == null) {
                unset.add(new Unset(path, m.group(1)));
                value = "";
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

}
