package io.ferrymq.sim.cli;

import io.ferrymq.sim.config.Field;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Builds the picocli model from {@link Field}, so every scenario field is also an option with its unit and default. */
final class CommandLineSpec {
    static final String SCENARIO = "--scenario";
    static final String SCALE = "--scale";

    private CommandLineSpec() {
    }

    static CommandLine create() {
        CommandSpec top = CommandSpec.create().name("device-sim").mixinStandardHelpOptions(true).version(
                "device-sim 0.1.0");
        top.usageMessage().description("Simulates a fleet of MQTT devices against any broker and checks that "
                + "every delivery keeps the promise of its QoS.");
        CommandLine commandLine = new CommandLine(top);
        commandLine.addSubcommand("run", new CommandLine(runSpec()));
        return commandLine;
    }

    private static CommandSpec runSpec() {
        CommandSpec run = CommandSpec.create().name("run").mixinStandardHelpOptions(true);
        run.usageMessage()
                .description("Runs a fleet or workload scenarios and prints a report. Exit codes: 0 every "
                        + "promise held, 1 a delivery broke its QoS contract or a scenario missed a target, "
                        + "2 invalid option or scenario, 3 broker unreachable or run failed.")
                .footer("", "Rates take /s, /m or /h (default per second). Durations take ms, s, m or h. "
                        + "Command-line options override the scenario file.");
        run.addOption(OptionSpec.builder(SCENARIO)
                .paramLabel("FILE")
                .type(String.class)
                .description("YAML scenario: a fleet scenario whose keys are the option names without dashes, "
                        + "for example 'devices: 200', or a workload scenario with a 'workload' key and its "
                        + "targets. A name without a slash, such as ride-dispatch, is a file of device-sim/scenarios; "
                        + "'all' runs every workload scenario there and prints a summary table.")
                .build());
        run.addOption(OptionSpec.builder(SCALE)
                .paramLabel("FACTOR")
                .type(String.class)
                .description("Workload scenarios only: multiplies every size of the file (devices, users, "
                        + "requests, ...), such as 0.5 or 4. Default: 1.")
                .build());
        for (Field field : Field.values()) {
            OptionSpec.Builder option = OptionSpec.builder("--" + field.key())
                    .paramLabel(field.label())
                    .type(String.class)
                    .description(escapeFormat(field.description() + " Default: "
                            + (field.defaultValue().isEmpty() ? "none" : field.defaultValue()) + "."));
            if (field.isBoolean()) {
                option.arity("0..1").fallbackValue("true");
            }
            run.addOption(option.build());
        }
        return run;
    }

    /** Picocli formats descriptions with String.format, so a literal % must be doubled. */
    private static String escapeFormat(String text) {
        return text.replace("%", "%%");
    }
}
