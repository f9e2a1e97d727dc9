package io.ferrymq.dedup.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class IdTableTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long HOUR = 3_600_000;

  @Test
  void repeatInsideWindowIsDuplicate() {
    IdTable table = new IdTable(100, HOUR, T0, null);

    assertThat(table.recordIfAbsent(42, HOUR, T0)).isTrue();
    assertThat(table.recordIfAbsent(42, HOUR, T0 + HOUR - 10)).isFalse();
    assertThat(table.recordIfAbsent(43, HOUR, T0 + 1)).isTrue();
    assertThat(table.size()).isEqualTo(2);
  }

  @Test
  void repeatAfterWindowIsNewAndRestartsWindow() {
    IdTable table = new IdTable(100, HOUR, T0, null);
    table.recordIfAbsent(42, HOUR, T0);

    assertThat(table.recordIfAbsent(42, HOUR, T0 + HOUR)).isTrue();
    assertThat(table.recordIfAbsent(42, HOUR, T0 + HOUR + 1000)).isFalse();
  }

  @Test
  void fingerprintZeroIsTracked() {
    IdTable table = new IdTable(10, HOUR, T0, null);

    assertThat(table.recordIfAbsent(0, HOUR, T0)).isTrue();
    assertThat(table.recordIfAbsent(0, HOUR, T0)).isFalse();
  }

  @Test
  void fullTableEvictsOldestFirstAndCountsThem() {
    List<Integer> reported = new ArrayList<>();
    IdTable table = new IdTable(640, HOUR, T0, (evicted, total) -> reported.add(evicted));
    for (int i = 0; i < 640; i++) {
      table.recordIfAbsent(mix(i), HOUR, T0 + i * 100L);
    }

    table.recordIfAbsent(mix(10_000), HOUR, T0 + 640 * 100L);

    assertThat(table.size()).isEqualTo(640 - 10 + 1);
    assertThat(table.evictions()).isEqualTo(10);
    assertThat(reported).containsExactly(10);
    for (int i = 0; i < 10; i++) {
      assertThat(table.recordIfAbsent(mix(i), HOUR, T0 + 70_000)).as("evicted id %d", i).isTrue();
    }
    for (int i = 20; i < 640; i++) {
      assertThat(table.recordIfAbsent(mix(i), HOUR, T0 + 70_000)).as("kept id %d", i).isFalse();
    }
  }

  @Test
  void burstInOneTickEvictsOnlyTarget() {
    IdTable table = new IdTable(6400, HOUR, T0, null);
    for (int i = 0; i < 6400; i++) {
      table.recordIfAbsent(mix(i), HOUR, T0);
    }

    table.recordIfAbsent(mix(10_000), HOUR, T0);

    assertThat(table.evictions()).isEqualTo(100);
    assertThat(table.size()).isEqualTo(6400 - 100 + 1);
  }

  @Test
  void fullTableRemovesExpiredIdsWithoutCountingEvictions() {
    IdTable table = new IdTable(64, HOUR, T0, null);
    for (int i = 0; i < 64; i++) {
      table.recordIfAbsent(mix(i), HOUR, T0);
    }

    table.recordIfAbsent(mix(1000), HOUR, T0 + 2 * HOUR);

    assertThat(table.size()).isEqualTo(1);
    assertThat(table.evictions()).isZero();
  }

  @Test
  void randomRecordsMatchReferenceMap() {
    // Small capacity and clustered fingerprints force long probe runs, wrap-around and many removals.
    SplittableRandom random = new SplittableRandom(7);
    long window = 5_000;
    IdTable table = new IdTable(200, window, T0, null);
    Map<Long, Long> reference = new HashMap<>();
    long now = T0;
    for (int step = 0; step < 200_000; step++) {
      now += random.nextInt(3);
      long id = (random.nextLong(300) << 32) | (1 + random.nextInt(4));
      boolean expected = !reference.containsKey(id) || now - reference.get(id) >= window;
      boolean evictionPossible = reference.size() >= 150;
      // Times are stored in 10 ms ticks, so an id within one tick of its window's end may go either way.
      boolean atWindowEdge = reference.containsKey(id)
          && Math.abs(now - reference.get(id) - window) <= IdTable.TICK_MILLIS;
      boolean actual = table.recordIfAbsent(id, window, now);
      if (atWindowEdge) {
        // Skip the check, but keep the reference in step with what the table recorded.
      } else if (!evictionPossible) {
        assertThat(actual).as("step %d id %x", step, id).isEqualTo(expected);
      } else if (!actual) {
        assertThat(expected).as("duplicate reported for a new id, step %d, now %d, recorded %s", step, now - T0,
            reference.containsKey(id) ? reference.get(id) - T0 : null).isFalse();
      }
      if (actual) {
        reference.put(id, now);
      }
      final long cutoff = now - window;
      reference.values().removeIf(t -> t <= cutoff - 1_000);
      assertThat(table.size()).isLessThanOrEqualTo(200);
    }
  }

  @Test
  void loadKeepsLaterTime() {
    IdTable table = new IdTable(100, HOUR, T0, null);

    table.load(5, T0 - 30 * 60_000, T0);
    table.load(5, T0 - 50 * 60_000, T0);

    assertThat(table.recordIfAbsent(5, HOUR, T0 + 29 * 60_000)).isFalse();
    assertThat(table.recordIfAbsent(5, HOUR, T0 + 30 * 60_000)).isTrue();
  }

  @Test
  void ticksPastRebasePointKeepWindows() {
    IdTable table = new IdTable(100, HOUR, T0, null);
    long late = T0 + (1L << 30) * IdTable.TICK_MILLIS;

    table.recordIfAbsent(1, HOUR, T0);
    table.recordIfAbsent(2, HOUR, late);

    assertThat(table.recordIfAbsent(2, HOUR, late + HOUR - 10)).isFalse();
    assertThat(table.recordIfAbsent(1, HOUR, late + 10)).isTrue();
  }

  private static long mix(long i) {
    long z = i * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    return z ^ (z >>> 27);
  }
}
