package io.ferrymq.metrics.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One scrape of {@code /metrics} in the Prometheus text format, as a map from series (name plus labels,
 * as the exporter prints them) to value, and from metric name to HELP text.
 */
public final class Scrape {

  private final Map<String, Double> series;
  private final Map<String, String> help;

  private Scrape(Map<String, Double> series, Map<String, String> help) {
    this.series = series;
    this.help = help;
  }

  public static Scrape parse(String text) {
    Map<String, Double> series = new LinkedHashMap<>();
    Map<String, String> help = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# HELP ")) {
        String rest = line.substring("# HELP ".length());
        int space = rest.indexOf(' ');
        help.put(rest.substring(0, space), rest.substring(space + 1));
        continue;
      }
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      // Label values in our metrics hold no spaces, so the value is after the last space.
      int space = line.lastIndexOf(' ');
      series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return new Scrape(series, help);
  }

  /**
   * Returns the value of one series, or fails naming the series.
   *
   * @param labels label names and values in turn, in any order
   */
  public double value(String name, String... labels) {
    String key = key(name, labels);
    Double v = series.get(key);
    if (v == null) {
      throw new AssertionError("no series " + key + " in the scrape; series of that name: " + named(name));
    }
    return v;
  }

  public boolean has(String name, String... labels) {
    return series.containsKey(key(name, labels));
  }

  /** Returns whether any series has this name, with any labels. */
  public boolean hasName(String name) {
    return series.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
  }

  public String help(String name) {
    return help.get(name);
  }

  private Map<String, Double> named(String name) {
    Map<String, Double> found = new TreeMap<>();
    series.forEach((k, v) -> {
      if (k.equals(name) || k.startsWith(name + "{")) {
        found.put(k, v);
      }
    });
    return found;
  }

  /** Builds the series key as the exporter prints it: labels sorted by name, values quoted. */
  private static String key(String name, String... labels) {
    if (labels.length == 0) {
      return name;
    }
    Map<String, String> sorted = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      sorted.put(labels[i], labels[i + 1]);
    }
    StringBuilder b = new StringBuilder(name).append('{');
    sorted.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
    b.setLength(b.length() - 1);
    return b.append('}').toString();
  }
}
