package io.jwtsidecar.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.SecurityUtils;

/**
 * The Kafka ACLs as each file states them (the KafkaUsers the Kubernetes base ships, and
 * deploy/kafka-acls' script and table), read into one form (a set of {@link Grant}s) so they can
 * be compared with each other and applied to a real broker. The
 * readers are strict: anything the examples do not use (deny rules, host restrictions, prefixed
 * patterns, options of {@code kafka-acls.sh} other than a principal, operations and a topic) fails
 * the read rather than being skipped, so a file cannot grant more than what is compared.
 *
 * <p>Paths are relative to the project directory (where Maven runs the tests).
 */
public final class KafkaAclExamples {
    public static final Path DIR = Path.of("deploy/kafka-acls");
    /** The KafkaUsers of the Kubernetes base (deploy/k8s includes them). */
    public static final Path STRIMZI_USERS = Path.of("deploy/k8s/kafka-users.yaml");
    public static final Path ACLS_SCRIPT = DIR.resolve("acls.sh");
    public static final Path README = DIR.resolve("README.md");

    /** {@code NAME=${NAME:-default}}: a setting of acls.sh with its default. */
    private static final Pattern SCRIPT_DEFAULT = Pattern.compile("^(\\w+)=\\$\\{\\1:-([^}]*)}$");
    private static final Pattern SCRIPT_VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");

    private KafkaAclExamples() {
    }

    /**
     * One allowed operation of one user on one resource, from any host.
     *
     * @param user the user name, without {@code User:}
     */
    public record Grant(String user, ResourcePattern resource, AclOperation operation) {
        /** This grant as Kafka stores it: an allow rule for {@code User:<user>} from any host. */
        public AclBinding binding() {
            return new AclBinding(resource, new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
        }

        @Override
        public String toString() {
            return "User:" + user + " may " + SecurityUtils.operationName(operation) + " on "
                    + SecurityUtils.resourceTypeName(resource.resourceType()) + " " + resource.name()
                    + (resource.patternType() == PatternType.LITERAL ? "" : " (" + resource.patternType() + ")");
        }
    }

    private static ResourcePattern topic(String name) {
        return new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Error reading " + file, e);
        }
    }

    private static AclOperation operation(String name, Path file) {
        try {
            return SecurityUtils.operation(name.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(file + ": unknown operation '" + name + "'", e);
        }
    }

    /** Every KafkaUser of kafka-users.yaml: its name is the user, each {@code acls} entry one grant per operation. */
    public static Set<Grant> strimziUsers() {
        Set<Grant> grants = new LinkedHashSet<>();
        try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(read(STRIMZI_USERS))) {
            while (docs.hasNext()) {
                JsonNode user = docs.next();
                if (user == null || user.isNull() || user.isMissingNode()) {
                    continue;
                }
                require(user.path("kind").asText().equals("KafkaUser"), STRIMZI_USERS + ": a document that is not a KafkaUser");
                String name = user.path("metadata").path("name").asText();
                require(user.path("apiVersion").asText().equals("kafka.strimzi.io/v1"), name + ": not kafka.strimzi.io/v1");
                JsonNode authorization = user.path("spec").path("authorization");
                require(authorization.path("type").asText().equals("simple"), name + ": authorization type is not simple");
                for (JsonNode acl : authorization.path("acls")) {
                    require(acl.path("type").asText("allow").equals("allow"), name + ": a rule that is not allow");
                    require(acl.path("host").asText("*").equals("*"), name + ": a rule limited to a host");
                    JsonNode resource = acl.path("resource");
                    require(resource.path("type").asText().equals("topic"), name + ": a resource that is not a topic");
                    require(resource.path("patternType").asText("literal").equals("literal"),
                            name + ": a pattern that is not literal");
                    // v1 has only the list; the single `operation` of v1beta2 is gone from the schema.
                    require(!acl.has("operation"), name + ": `operation`, which kafka.strimzi.io/v1 does not have");
                    List<JsonNode> operations = new ArrayList<>();
                    acl.path("operations").forEach(operations::add);
                    require(!operations.isEmpty(), name + ": a rule without operations");
                    for (JsonNode op : operations) {
                        grants.add(new Grant(name, topic(resource.path("name").asText()),
                                operation(op.asText(), STRIMZI_USERS)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Error parsing " + STRIMZI_USERS, e);
        }
        return grants;
    }

    /** {@link #strimziUsers()} as ACL bindings, ready for {@code Admin.createAcls}. */
    public static List<AclBinding> strimziBindings() {
        return strimziUsers().stream().map(Grant::binding).toList();
    }

    /** The defaults of acls.sh's settings ({@code TOPIC=${TOPIC:-jwt-revocations}} and the like). */
    public static Map<String, String> scriptDefaults() {
        Map<String, String> defaults = new HashMap<>();
        for (String line : read(ACLS_SCRIPT).lines().toList()) {
            Matcher m = SCRIPT_DEFAULT.matcher(line.strip());
            if (m.matches()) {
                defaults.put(m.group(1), m.group(2));
            }
        }
        return defaults;
    }

    /**
     * Every {@code acls --allow-principal User:… --operation … --topic …} command of acls.sh, its
     * settings at their defaults. The script's {@code acls} function must add ({@code --add}).
     */
    public static Set<Grant> aclsScript() {
        String script = read(ACLS_SCRIPT);
        require(script.contains("--add \"$@\""), "acls.sh: the acls function does not add (--add \"$@\")");
        Map<String, String> defaults = scriptDefaults();
        Set<Grant> grants = new LinkedHashSet<>();
        for (String line : script.replace("\\\n", " ").lines().toList()) {
            List<String> words = List.of(line.strip().split("\\s+"));
            if (!words.get(0).equals("acls")) {
                continue;
            }
            String principal = null;
            String topic = null;
            List<AclOperation> operations = new ArrayList<>();
            for (int i = 1; i < words.size(); i += 2) {
                require(i + 1 < words.size(), "acls.sh: " + words.get(i) + " without a value in: " + line);
                String value = expand(words.get(i + 1), defaults);
                switch (words.get(i)) {
                    case "--allow-principal" -> principal = value;
                    case "--operation" -> operations.add(operation(value, ACLS_SCRIPT));
                    case "--topic" -> topic = value;
                    default -> throw new IllegalStateException("acls.sh: unexpected option " + words.get(i) + " in: " + line);
                }
            }
            require(principal != null && principal.startsWith("User:"), "acls.sh: no User: principal in: " + line);
            require(topic != null && !operations.isEmpty(), "acls.sh: no topic or no operation in: " + line);
            for (AclOperation op : operations) {
                grants.add(new Grant(principal.substring("User:".length()), topic(topic), op));
            }
        }
        return grants;
    }

    /** A shell word: quotes removed, {@code $NAME} and {@code ${NAME}} replaced by the setting's default. */
    private static String expand(String word, Map<String, String> defaults) {
        String unquoted = word.replace("\"", "");
        Matcher m = SCRIPT_VARIABLE.matcher(unquoted);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = defaults.get(m.group(1));
            require(value != null, "acls.sh: $" + m.group(1) + " has no default");
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        return m.appendTail(sb).toString();
    }

    /**
     * The table of README.md (principal, who, then one column per topic), its topic columns named
     * by {@code topics} ("revocation topic" → the topic's name).
     */
    public static Set<Grant> readmeTable(Map<String, String> topics) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : read(README).lines().toList()) {
            boolean tableLine = line.startsWith("|");
            if (!tableLine && !rows.isEmpty()) {
                break;
            }
            if (tableLine && !line.startsWith("|---")) {
                List<String> cells = new ArrayList<>();
                for (String cell : line.substring(1, line.lastIndexOf('|')).split("\\|", -1)) {
                    cells.add(cell.replace("`", "").replace("**", "").strip());
                }
                if (!rows.isEmpty() || cells.get(0).equals("principal")) {
                    rows.add(cells);
                }
            }
        }
        require(!rows.isEmpty(), "README.md: no table whose first column is 'principal'");
        List<String> header = rows.get(0);
        Set<Grant> grants = new LinkedHashSet<>();
        for (List<String> row : rows.subList(1, rows.size())) {
            for (int column = 2; column < header.size(); column++) {
                String topic = topics.get(header.get(column));
                require(topic != null, "README.md: a column for an unknown topic: " + header.get(column));
                for (String op : row.get(column).split(",")) {
                    if (!op.isBlank()) {
                        grants.add(new Grant(row.get(0), topic(topic), operation(op, README)));
                    }
                }
            }
        }
        return grants;
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalStateException(problem);
        }
    }
}
