package io.ferrymq.sim.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a YAML scenario: a flat map whose keys are the field keys of the command line, for example
 * {@code devices: 200} and {@code churn-rate: 5/s}.
 */
public final class ScenarioFile {
    private ScenarioFile() {
    }

    /** Applies every field of the file to the builder; throws {@link ConfigException} naming the bad field. */
    public static void apply(Path file, FleetConfig.Builder builder) {
        Object document = load(file);
        if (document == null) {
            return;
        }
        if (!(document instanceof Map<?, ?> fields)) {
            throw new ConfigException("Invalid scenario " + file + ": expected a map of fields such as "
                    + "'devices: 200', one per line.");
        }
        for (Map.Entry<?, ?> entry : fields.entrySet()) {
            String key = String.valueOf(entry.getKey());
            Object value = entry.getValue();
            if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
                throw new ConfigException("Invalid value for " + key + " in " + file
                        + ": expected a single value, not a list or map.");
            }
            builder.set(key, value == null ? "" : String.valueOf(value));
        }
    }

    private static Object load(Path file) {
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
}
