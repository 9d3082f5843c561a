package io.jwtsidecar.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * One configuration text: its tree, and where in the text each key is, so that an error about
 * {@code revocation.bloomExpectedRules} can point at line 12 of sidecar.yaml. The tree alone
 * cannot say: Jackson's nodes forget their positions, hence a second, streaming pass.
 */
final class YamlDocument {
    /** The key an error message names: everything before its first ": ", when that is one word. */
    private static final Pattern LEADING_KEY = Pattern.compile("([^\\s:]+): .*", Pattern.DOTALL);
    /** The last step of a key path: {@code .name} or {@code [3]}. */
    private static final Pattern LAST_STEP = Pattern.compile("(\\.[^.\\[]*|\\[\\d+])$");

    private final JsonNode tree;
    private final @Nullable String source;
    private final Map<String, Position> positions;

    private YamlDocument(JsonNode tree, @Nullable String source, Map<String, Position> positions) {
        this.tree = tree;
        this.source = source;
        this.positions = positions;
    }

    /**
     * @param source how to name the text in messages (the file as given), or null for text that
     *               is not a file: its errors then name no position
     * @throws ConfigException one error, with line, column and the parser's reason, when the text is not YAML
     */
    static YamlDocument parse(String yaml, @Nullable String source) {
        JsonNode tree;
        try {
            tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(syntaxError(e, source)));
        } catch (IOException e) {
            // Reading a String fails only on its content, so this is the parser's reason too.
            throw new ConfigException(List.of("configuration is not valid YAML: " + firstLine(e.getMessage())));
        }
        return new YamlDocument(tree, source, source == null ? Map.of() : positions(yaml));
    }

    JsonNode tree() {
        return tree;
    }

    /**
     * {@code error} with the position of the key it names in front ({@code sidecar.yaml:12:7: …}),
     * or of the nearest enclosing key the file has (where a missing key belongs). Unchanged when
     * the text is no file, or when the key's value came from the environment, not from the file.
     *
     * @param fromEnvironment keys whose value an environment variable set
     */
    String locate(String error, Set<String> fromEnvironment) {
        if (source == null) {
            return error;
        }
        Matcher m = LEADING_KEY.matcher(error);
        if (!m.matches() || fromEnvironment.contains(m.group(1))) {
            return error;
        }
        for (String path = m.group(1); !path.isEmpty(); path = LAST_STEP.matcher(path).replaceFirst("")) {
            Position p = positions.get(path);
            if (p != null) {
                return source + ":" + p.line() + ":" + p.column() + ": " + error;
            }
            if (!LAST_STEP.matcher(path).find()) {
                break;
            }
        }
        return error;
    }

    private static String syntaxError(JsonProcessingException e, @Nullable String source) {
        // SnakeYAML's own exception has the point of the problem and the reason alone; Jackson's
        // location is sometimes where the enclosing construct began.
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                Mark mark = marked.getProblemMark();
                return syntaxError(source, mark.getLine() + 1, mark.getColumn() + 1, marked.getProblem());
            }
        }
        JsonLocation at = e.getLocation();
        if (at == null) {
            return "configuration is not valid YAML: " + firstLine(e.getOriginalMessage());
        }
        return syntaxError(source, at.getLineNr(), at.getColumnNr(), firstLine(e.getOriginalMessage()));
    }

    private static String syntaxError(@Nullable String source, int line, int column, String reason) {
        return source == null
                ? "configuration is not valid YAML at line " + line + ", column " + column + ": " + reason
                : source + ":" + line + ":" + column + ": not valid YAML: " + reason;
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    /** Every key path of the text ({@code issuers[0].keys[1].pemFile}) → where its key (or list item) starts. */
    private static Map<String, Position> positions(String yaml) {
        Map<String, Position> result = new HashMap<>();
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            if (p.nextToken() != null) {
                walk(p, "", result);
            }
        } catch (IOException | RuntimeException e) {
            // The tree was read, so this is a construct the streaming pass does not follow (an alias,
            // say): the positions gathered so far serve, the rest of the errors go without.
            return result;
        }
        return result;
    }

    /** Walks the value at the current token, recording the positions of what is inside it. */
    private static void walk(JsonParser p, String path, Map<String, Position> into) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                String child = path.isEmpty() ? name : path + "." + name;
                into.putIfAbsent(child, Position.of(p.currentTokenLocation()));
                p.nextToken();
                walk(p, child, into);
            }
        } else if (t == JsonToken.START_ARRAY) {
            for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
                String child = path + "[" + i + "]";
                into.putIfAbsent(child, Position.of(p.currentTokenLocation()));
                walk(p, child, into);
            }
        }
    }

    /** A 1-based line and column. */
    private record Position(int line, int column) {
        static Position of(JsonLocation l) {
            return new Position(l.getLineNr(), l.getColumnNr());
        }
    }
}
