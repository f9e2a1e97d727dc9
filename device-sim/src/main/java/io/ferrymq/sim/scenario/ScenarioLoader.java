package io.ferrymq.sim.scenario;

import io.ferrymq.sim.DeviceSim;
import io.ferrymq.sim.config.ConfigException;
import io.ferrymq.sim.scenario.workload.Workloads;
import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Finds and reads workload scenarios. A name without a slash or {@code .yaml}, such as
 * {@code ride-dispatch}, is looked up in the scenario folder: {@code device-sim/scenarios} next to the jar or
 * class folder the simulator runs from, else {@code scenarios} or {@code device-sim/scenarios} under the
 * working directory. Anything else is a path.
 */
public final class ScenarioLoader {
    public static final String WORKLOAD_KEY = "workload";
    private static final Set<String> TOP_LEVEL_KEYS = Set.of(WORKLOAD_KEY, "description", "size", "settings",
            "targets");

    private ScenarioLoader() {
    }

    /** Returns the file a name or path refers to; throws listing the known names when there is none. */
    public static Path resolve(String nameOrPath) {
        Path path = Path.of(nameOrPath);
        if (Files.isRegularFile(path) || nameOrPath.contains("/") || nameOrPath.endsWith(".yaml")) {
            return path;
        }
        Optional<Path> folder = folder();
        if (folder.isPresent()) {
            Path file = folder.get().resolve(nameOrPath + ".yaml");
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new ConfigException("Scenario '" + nameOrPath + "' not found. Give a file path or one of: "
                + String.join(", ", folder.map(ScenarioLoader::names).orElse(List.of())) + ".");
    }

    /** Every scenario file of the scenario folder, sorted by name. */
    public static List<Path> all() {
        Path folder = folder().orElseThrow(() -> new ConfigException(
                "Scenario folder not found: expected device-sim/scenarios next to the simulator."));
        return names(folder).stream().map(name -> folder.resolve(name + ".yaml")).toList();
    }

    /** Whether the file is a workload scenario (it has a {@code workload} key) rather than a fleet scenario. */
    public static boolean isWorkloadScenario(Path file) {
        return read(file) instanceof Map<?, ?> map && map.containsKey(WORKLOAD_KEY);
    }

    public static ScenarioDefinition load(Path file) {
        if (!(read(file) instanceof Map<?, ?> document)) {
            throw new ConfigException("Invalid scenario " + file + ": expected a map with the keys "
                    + String.join(", ", TOP_LEVEL_KEYS) + ".");
        }
        for (Object key : document.keySet()) {
            if (!TOP_LEVEL_KEYS.contains(String.valueOf(key))) {
                throw new ConfigException("Unknown key '" + key + "' in scenario " + file + ". Accepted keys: "
                        + String.join(", ", TOP_LEVEL_KEYS) + ".");
            }
        }
        Workload workload = Workloads.byName(String.valueOf(document.get(WORKLOAD_KEY)));
        String description = document.get("description") == null ? "" : String.valueOf(document.get("description"));
        String name = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return new ScenarioDefinition(name, file, workload, description.trim(),
                section(file, document, "size"), section(file, document, "settings"),
                targets(file, document, workload));
    }

    private static List<Target> targets(Path file, Map<?, ?> document, Workload workload) {
        List<Target> targets = new ArrayList<>();
        for (Map.Entry<String, String> entry : section(file, document, "targets").entrySet()) {
            if (!workload.metrics().contains(entry.getKey())) {
                throw new ConfigException("Unknown target '" + entry.getKey() + "' in scenario " + file
                        + ". Workload " + workload.name() + " measures: " + String.join(", ", workload.metrics())
                        + ".");
            }
            try {
                targets.add(new Target(entry.getKey(), Double.parseDouble(entry.getValue())));
            } catch (NumberFormatException e) {
                throw new ConfigException("Invalid value '" + entry.getValue() + "' for targets." + entry.getKey()
                        + " in " + file + ": expected the maximum allowed, a number such as 0 or 50.");
            }
        }
        if (targets.isEmpty()) {
            throw new ConfigException("Scenario " + file + " has no targets: add a 'targets' map such as "
                    + "'lost: 0'.");
        }
        return targets;
    }

    private static Map<String, String> section(Path file, Map<?, ?> document, String key) {
        Object value = document.get(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigException("Invalid '" + key + "' in scenario " + file + ": expected a map of "
                    + "'name: value' lines.");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (entry.getValue() instanceof Map<?, ?> || entry.getValue() instanceof Collection<?>) {
                throw new ConfigException("Invalid value for " + key + "." + entry.getKey() + " in " + file
                        + ": expected a single value, not a list or map.");
            }
            result.put(String.valueOf(entry.getKey()), String.valueOf(entry.getValue()));
        }
        return result;
    }

    private static Object read(Path file) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return yaml.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Scenario file not found: " + file + ".");
        } catch (IOException e) {
            throw new ConfigException("Failed to read scenario " + file + ": " + e.getMessage() + ".");
        } catch (YAMLException e) {
            throw new ConfigException("Invalid YAML in scenario " + file + ": " + e.getMessage());
        }
    }

    private static Optional<Path> folder() {
        List<Path> candidates = new ArrayList<>();
        codeLocation().ifPresent(location -> candidates.add(location.getParent().getParent().resolve("scenarios")));
        candidates.add(Path.of("scenarios"));
        candidates.add(Path.of("device-sim", "scenarios"));
        return candidates.stream().filter(Files::isDirectory).findFirst();
    }

    /** The jar or class folder of the simulator, such as {@code device-sim/target/device-sim.jar}. */
    private static Optional<Path> codeLocation() {
        try {
            Path location = Path.of(DeviceSim.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return location.getParent() == null || location.getParent().getParent() == null ? Optional.empty()
                    : Optional.of(location.toAbsolutePath());
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private static List<String> names(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml"))
                    .map(name -> name.substring(0, name.length() - ".yaml".length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
