package io.ferrymq.sim.cli;

import io.ferrymq.sim.client.BrokerUnreachableException;
import io.ferrymq.sim.config.ConfigException;
import io.ferrymq.sim.config.Field;
import io.ferrymq.sim.fleet.FleetException;
import io.ferrymq.sim.scenario.ScenarioDefinition;
import io.ferrymq.sim.scenario.ScenarioLoader;
import io.ferrymq.sim.scenario.ScenarioResult;
import io.ferrymq.sim.scenario.ScenarioRunner;
import io.ferrymq.sim.scenario.ScenarioTable;
import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.ParseResult;

/**
 * Runs workload scenarios from the command line: one file, or {@code all} of the scenario folder in turn.
 * Exit code 0 when every target was met, 1 when one was missed.
 */
final class ScenarioCommand {
    static final String ALL = "all";
    /** Options that apply to workload scenarios; the others set fleet fields that workloads do not read. */
    private static final Set<Field> ACCEPTED = Set.of(Field.HOST, Field.PORT, Field.REPORT, Field.SEED);

    private ScenarioCommand() {
    }

    /** Returns whether the {@code --scenario} value names workload scenarios rather than a fleet scenario. */
    static boolean isWorkload(String scenario) {
        return scenario.equals(ALL) || ScenarioLoader.isWorkloadScenario(ScenarioLoader.resolve(scenario));
    }

    static int execute(ParseResult run, PrintStream out, PrintStream err) {
        String scenario = run.matchedOptionValue(CommandLineSpec.SCENARIO, "");
        List<ScenarioDefinition> definitions;
        double scale;
        try {
            rejectFleetOptions(run);
            scale = scale(run.matchedOptionValue(CommandLineSpec.SCALE, "1"));
            List<Path> files = scenario.equals(ALL) ? ScenarioLoader.all() : List.of(ScenarioLoader.resolve(scenario));
            definitions = new ArrayList<>();
            for (Path file : files) {
                definitions.add(ScenarioLoader.load(file));
            }
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return RunCommand.INVALID_INPUT;
        }

        String host = run.matchedOptionValue("--" + Field.HOST.key(), Field.HOST.defaultValue());
        int port = Integer.parseInt(run.matchedOptionValue("--" + Field.PORT.key(), Field.PORT.defaultValue()));
        long seed = Long.parseLong(run.matchedOptionValue("--" + Field.SEED.key(), Field.SEED.defaultValue()));
        List<ScenarioResult> results = new ArrayList<>();
        try {
            for (ScenarioDefinition definition : definitions) {
                ScenarioResult result = ScenarioRunner.run(definition, host, port, scale, seed);
                out.print(ScenarioTable.format(result));
                out.println();
                results.add(result);
            }
        } catch (BrokerUnreachableException | FleetException e) {
            err.println(e.getMessage());
            return RunCommand.RUN_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("Interrupted while running scenario " + scenario + ".");
            return RunCommand.RUN_FAILED;
        }

        if (results.size() > 1) {
            out.print(ScenarioTable.summary(results));
        }
        String report = run.matchedOptionValue("--" + Field.REPORT.key(), "");
        if (!report.isBlank() && !writeReport(results, Path.of(report), err)) {
            return RunCommand.RUN_FAILED;
        }
        return results.stream().allMatch(ScenarioResult::passed) ? RunCommand.PASSED : RunCommand.PROMISE_BROKEN;
    }

    private static void rejectFleetOptions(ParseResult run) {
        for (Field field : Field.values()) {
            if (!ACCEPTED.contains(field) && run.hasMatchedOption("--" + field.key())) {
                throw new ConfigException("Option --" + field.key() + " does not apply to workload scenarios: "
                        + "set sizes and settings in the scenario file, or use --scale.");
            }
        }
    }

    private static double scale(String raw) {
        try {
            double scale = Double.parseDouble(raw.trim());
            if (scale > 0 && scale <= 1000) {
                return scale;
            }
        } catch (NumberFormatException e) {
            // Reported below with the accepted values.
        }
        throw new ConfigException("Invalid value '" + raw + "' for scale: expected a number above 0 and up to 1000, "
                + "such as 0.5 or 4.");
    }

    private static boolean writeReport(List<ScenarioResult> results, Path file, PrintStream err) {
        JsonArray json = new JsonArray();
        results.forEach(result -> json.add(ScenarioTable.toJson(result)));
        try {
            Files.writeString(file, json.encodePrettily() + "\n", StandardCharsets.UTF_8);
            return true;
        } catch (IOException e) {
            err.println("Failed to write the report to " + file + ": " + e.getMessage());
            return false;
        }
    }
}
