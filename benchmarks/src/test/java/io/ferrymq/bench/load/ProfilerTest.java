package io.ferrymq.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class ProfilerTest {

  @Test
  void growthByClassKeepsGrownClassesLargestFirst() {
    Map<String, Long> before = Map.of("[B", 1_000L, "Gone", 500L, "Same", 64L);
    Map<String, Long> after = Map.of("[B", 21_000L, "Same", 64L, "Session", 40_000L);

    List<Map.Entry<String, Long>> growth = Profiler.growthByClass(before, after);

    assertThat(growth).containsExactly(Map.entry("Session", 40_000L), Map.entry("[B", 20_000L));
  }

  @Test
  void describeHeapGrowthGivesBytesPerConnection() {
    String text = Profiler.describeHeapGrowth("ferrymq", 100,
        List.of(Map.entry("Session", 40_000L), Map.entry("[B", 20_000L)));

    assertThat(text).contains("100 connections open");
    assertThat(text).contains("add up to 0.59 KiB per connection");
    assertThat(text).contains("`Session` 400 B, `[B` 200 B");
  }
}
