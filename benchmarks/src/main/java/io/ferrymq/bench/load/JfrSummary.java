package io.ferrymq.bench.load;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Counts of the execution samples of a flight recording, from the text of {@code jfr print --events
 * jdk.ExecutionSample}: which method was on top of the stack, which FerryMQ methods were anywhere on
 * it, and which threads ran.
 */
record JfrSummary(int samples, Map<String, Integer> topFrames, Map<String, Integer> ferryFramesOnStack,
                  Map<String, Integer> threads) {

  private static final String FERRY_PACKAGE = "io.ferrymq.";

  /** Parses the printed events; a method counts once per sample however deep it recurses. */
  static JfrSummary parse(String printed) {
    int samples = 0;
    Map<String, Integer> top = new LinkedHashMap<>();
    Map<String, Integer> ferry = new LinkedHashMap<>();
    Map<String, Integer> threads = new LinkedHashMap<>();
    Set<String> ferryInThisSample = new HashSet<>();
    boolean inStack = false;
    boolean firstFrame = false;
    for (String raw : printed.split("\n")) {
      String line = raw.trim();
      if (line.startsWith("jdk.ExecutionSample")) {
        samples++;
      } else if (line.startsWith("sampledThread = ")) {
        threads.merge(threadGroup(line), 1, Integer::sum);
      } else if (line.startsWith("stackTrace = [")) {
        inStack = true;
        firstFrame = true;
        ferryInThisSample.clear();
      } else if (inStack && line.startsWith("]")) {
        inStack = false;
        ferryInThisSample.forEach(method -> ferry.merge(method, 1, Integer::sum));
      } else if (inStack && !line.equals("...")) {
        String method = method(line);
        if (firstFrame) {
          top.merge(method, 1, Integer::sum);
          firstFrame = false;
        }
        if (method.startsWith(FERRY_PACKAGE)) {
          ferryInThisSample.add(method);
        }
      }
    }
    return new JfrSummary(samples, top, ferry, threads);
  }

  /** Strips the {@code line: N} suffix and the parameter list from a printed frame. */
  static String method(String frame) {
    String withoutLine = frame.replaceAll("\\s+line:.*$", "");
    int parameters = withoutLine.indexOf('(');
    return parameters < 0 ? withoutLine : withoutLine.substring(0, parameters);
  }

  /** Names a thread without its number, so the event loops {@code vert.x-eventloop-thread-0..3} count together. */
  static String threadGroup(String sampledThreadLine) {
    int open = sampledThreadLine.indexOf('"');
    int close = sampledThreadLine.indexOf('"', open + 1);
    String name = open < 0 || close < 0 ? sampledThreadLine : sampledThreadLine.substring(open + 1, close);
    return name.replaceAll("[-#]?\\d+$", "");
  }

  /** Describes the {@code limit} largest counts of one map as {@code name (share %)}, largest first. */
  String describe(Map<String, Integer> counts, int limit) {
    if (samples == 0) {
      return "no samples";
    }
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(limit)
        .map(e -> String.format(Locale.ROOT, "`%s` (%.1f %%)", shortName(e.getKey()), 100.0 * e.getValue() / samples))
        .collect(Collectors.joining(", "));
  }

  /** Keeps the simple class name and the method: {@code a.b.Router.route} becomes {@code Router.route}. */
  static String shortName(String method) {
    int lastDot = method.lastIndexOf('.');
    if (lastDot < 0) {
      return method;
    }
    int classDot = method.lastIndexOf('.', lastDot - 1);
    return method.substring(classDot + 1);
  }
}
