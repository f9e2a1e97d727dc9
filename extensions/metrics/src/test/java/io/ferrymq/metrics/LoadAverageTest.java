package io.ferrymq.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LoadAverageTest {

  @Test
  void steadyRateConvergesToItsPerMinuteValue() {
    LoadAverage load = new LoadAverage(60, 0);
    double value = 0;
    for (int i = 1; i <= 100; i++) {
      // 5 events every 10 s is 30 per minute.
      value = load.update(i * 5L, 10);
    }

    assertThat(value).isCloseTo(30, within(0.01));
  }

  @Test
  void oneWindowMovesTwoThirdsOfTheWay() {
    LoadAverage load = new LoadAverage(300, 1000);

    // 600 events in 300 s is 120 per minute; after one window the average has moved 1 - 1/e of the way.
    assertThat(load.update(1600, 300)).isCloseTo(120 * (1 - Math.exp(-1)), within(1e-9));
  }

  @Test
  void noElapsedTimeKeepsTheAverage() {
    LoadAverage load = new LoadAverage(60, 0);
    double before = load.update(60, 60);

    assertThat(load.update(600, 0)).isEqualTo(before);
  }
}
