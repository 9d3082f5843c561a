package io.jwtsidecar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A kustomization rendered the way it is applied: {@code kubectl kustomize <dir>}, offline, each
 * document read back as a tree. Needs kubectl on the PATH; without it the render fails and says
 * so. Paths are relative to the project directory (where Maven runs the tests).
 */
public final class Kustomize {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Kustomize() {
    }

    /** The documents {@code kubectl kustomize dir} prints, empty ones left out. */
    public static List<JsonNode> render(Path dir) {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(run(dir))) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Error reading what kubectl kustomize " + dir + " printed", e);
        }
        if (docs.isEmpty()) {
            throw new IllegalStateException("kubectl kustomize " + dir + " printed no documents");
        }
        return docs;
    }

    private static String run(Path dir) {
        Path kubectl = onPath("kubectl");
        if (kubectl == null) {
            throw new IllegalStateException("kubectl not found on PATH: rendering " + dir + " needs `kubectl kustomize` "
                    + "(offline); install kubectl (see README, test prerequisites) or put it on PATH.");
        }
        try {
            Path err = Files.createTempFile("kustomize", ".err");
            try {
                Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                        .redirectError(err.toFile()).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("kubectl kustomize " + dir + " did not finish in 60 s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + Files.readString(err));
                }
                return out;
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Error running kubectl kustomize " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Renders {@code dir} (relative to the project) and reads every document back as the fabric8 class of its kind. */
    public static List<HasMetadata> typed(String dir) {
        return parse(run(Path.of(dir)));
    }

    /** Each YAML document through the model's own deserializer, which picks the class from apiVersion and kind. */
    private static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> resources = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isEmpty()) {
                    continue;
                }
                KubernetesResource r = JSON.treeToValue(doc, KubernetesResource.class);
                assertThat(r).as("%s", doc.get("kind")).isInstanceOf(HasMetadata.class);
                resources.add((HasMetadata) r);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Error reading rendered manifests", e);
        }
        assertThat(resources).isNotEmpty();
        return resources;
    }
}
