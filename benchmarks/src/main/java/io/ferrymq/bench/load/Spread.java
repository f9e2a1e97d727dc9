package io.ferrymq.bench.load;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Median, minimum and maximum of the repetitions of one measurement. */
record Spread(double median, double min, double max, int count) {

  static Spread of(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (sorted.length == 0) {
      return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
    }
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new Spread(median, sorted[0], sorted[n - 1], n);
  }

  static Spread of(double... values) {
    return of(Arrays.stream(values).boxed().toList());
  }

  /** Formats as {@code median (min–max)} with the given number of decimals. */
  String format(int decimals) {
    if (count == 0) {
      return "n/a";
    }
    String pattern = "%,." + decimals + "f";
    return String.format(Locale.ROOT, pattern + " (" + pattern + "–" + pattern + ")", median, min, max);
  }
}
