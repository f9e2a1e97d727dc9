package io.ferrymq.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class SpreadTest {

  @Test
  void oddCountTakesMiddleValue() {
    Spread spread = Spread.of(3.0, 1.0, 2.0);

    assertThat(spread.median()).isEqualTo(2.0);
    assertThat(spread.min()).isEqualTo(1.0);
    assertThat(spread.max()).isEqualTo(3.0);
  }

  @Test
  void evenCountAveragesMiddleValues() {
    assertThat(Spread.of(4.0, 1.0, 2.0, 3.0).median()).isEqualTo(2.5);
  }

  @Test
  void notANumberIsSkipped() {
    Spread spread = Spread.of(Double.NaN, 5.0);

    assertThat(spread.count()).isEqualTo(1);
    assertThat(spread.median()).isEqualTo(5.0);
  }

  @Test
  void emptyFormatsAsNotAvailable() {
    assertThat(Spread.of(Double.NaN).format(1)).isEqualTo("n/a");
  }

  @Test
  void formatShowsMedianAndRange() {
    assertThat(Spread.of(1000.0, 2000.0, 3000.0).format(0)).isEqualTo("2,000 (1,000–3,000)");
  }
}
