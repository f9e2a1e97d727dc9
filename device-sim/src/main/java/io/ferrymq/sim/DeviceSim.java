package io.ferrymq.sim;

import io.ferrymq.sim.cli.RunCommand;
import java.io.PrintStream;

/**
 * Command-line entry point. {@link #execute} returns the exit code instead of exiting, so tests and other
 * programs can call it: 0 every promise held, 1 a delivery broke its QoS contract or a workload scenario missed
 * a target, 2 invalid option or scenario, 3 broker unreachable or run failed.
 */
public final class DeviceSim {
    private DeviceSim() {
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    public static int execute(String[] args, PrintStream out, PrintStream err) {
        return RunCommand.execute(args, out, err, System.console() != null);
    }
}
