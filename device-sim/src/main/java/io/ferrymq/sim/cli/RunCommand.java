package io.ferrymq.sim.cli;

import io.ferrymq.sim.client.BrokerUnreachableException;
import io.ferrymq.sim.config.ConfigException;
import io.ferrymq.sim.config.Field;
import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.config.ScenarioFile;
import io.ferrymq.sim.fleet.Fleet;
import io.ferrymq.sim.fleet.FleetException;
import io.ferrymq.sim.report.JsonReport;
import io.ferrymq.sim.report.ReportTable;
import io.ferrymq.sim.report.RunReport;
import io.ferrymq.sim.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Parses the command line, runs the fleet or the workload scenarios and turns each outcome into an exit code.
 */
public final class RunCommand {
    public static final int PASSED = 0;
    public static final int PROMISE_BROKEN = 1;
    public static final int INVALID_INPUT = 2;
    public static final int RUN_FAILED = 3;

    private RunCommand() {
    }

    public static int execute(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        CommandLine commandLine = CommandLineSpec.create();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        ParseResult parsed;
        try {
            parsed = commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            err.println(e.getMessage());
            err.println("Run 'device-sim run --help' for the options.");
            return INVALID_INPUT;
        }
        if (CommandLine.printHelpIfRequested(parsed)) {
            return PASSED;
        }
        if (!parsed.hasSubcommand()) {
            commandLine.usage(err);
            return INVALID_INPUT;
        }
        ParseResult run = parsed.subcommand();
        try {
            if (run.hasMatchedOption(CommandLineSpec.SCENARIO)
                    && ScenarioCommand.isWorkload(run.matchedOptionValue(CommandLineSpec.SCENARIO, ""))) {
                return ScenarioCommand.execute(run, out, err);
            }
            if (run.hasMatchedOption(CommandLineSpec.SCALE)) {
                throw new ConfigException("Option --scale applies to workload scenarios only.");
            }
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return INVALID_INPUT;
        }
        FleetConfig config;
        try {
            config = toConfig(run);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return INVALID_INPUT;
        }
        return run(config, out, err, terminal);
    }

    private static FleetConfig toConfig(ParseResult run) {
        FleetConfig.Builder builder = FleetConfig.builder();
        if (run.hasMatchedOption(CommandLineSpec.SCENARIO)) {
            ScenarioFile.apply(ScenarioLoader.resolve(run.matchedOptionValue(CommandLineSpec.SCENARIO, "")), builder);
        }
        for (Field field : Field.values()) {
            String name = "--" + field.key();
            if (run.hasMatchedOption(name)) {
                builder.set(field, run.matchedOptionValue(name, ""));
            }
        }
        return builder.build();
    }

    private static int run(FleetConfig config, PrintStream out, PrintStream err, boolean terminal) {
        ProgressPrinter progress = new ProgressPrinter(err, terminal);
        RunReport report;
        try {
            report = Fleet.run(config, progress);
        } catch (BrokerUnreachableException | FleetException e) {
            progress.finish();
            err.println(e.getMessage());
            return RUN_FAILED;
        }
        progress.finish();
        out.print(ReportTable.format(report));
        if (config.report().isPresent()) {
            try {
                JsonReport.write(report, config.report().get());
            } catch (IOException e) {
                err.println("Failed to write the report to " + config.report().get() + ": " + e.getMessage());
                return RUN_FAILED;
            }
        }
        return report.exitCode() == 0 ? PASSED : PROMISE_BROKEN;
    }
}
