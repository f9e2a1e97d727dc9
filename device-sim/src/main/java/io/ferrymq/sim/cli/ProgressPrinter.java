package io.ferrymq.sim.cli;

import io.ferrymq.sim.fleet.Progress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Prints live progress: on a terminal one line rewritten in place every second, elsewhere (CI logs) a new
 * line every 10 seconds.
 */
final class ProgressPrinter implements Consumer<Progress> {
    private static final int LOG_EVERY_SECONDS = 10;

    private final PrintStream out;
    private final boolean terminal;
    private int calls;
    private boolean printed;

    ProgressPrinter(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public synchronized void accept(Progress progress) {
        calls++;
        String line = String.format(Locale.ROOT,
                "%5.0fs %-10s devices %d/%d  publish %.0f msg/s  deliver %.0f msg/s  missing %d  duplicated %d",
                progress.elapsedSeconds(), progress.phase(), progress.devicesOnline(), progress.devices(),
                progress.publishRate(), progress.deliveryRate(), progress.missing(), progress.duplicated());
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
            printed = true;
        } else if (calls % LOG_EVERY_SECONDS == 0) {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the rewritten line so that the report starts on a fresh one. */
    synchronized void finish() {
        if (printed) {
            out.println();
        }
    }
}
