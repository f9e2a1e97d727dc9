package io.ferrymq.sim.scenario.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GeohashTest {

    @Test
    void encodesKnownPositions() {
        // Published geohash of a point in Jutland, Denmark, and the cells at the origin and the south-west corner.
        assertThat(Geohash.encode(57.64911, 10.40744, 11)).isEqualTo("u4pruydqqvj");
        assertThat(Geohash.encode(0, 0, 5)).isEqualTo("s0000");
        assertThat(Geohash.encode(-90, -180, 3)).isEqualTo("000");
    }

    @Test
    void longerHashStartsWithShorterOne() {
        String coarse = Geohash.encode(52.52, 13.405, 4);
        String fine = Geohash.encode(52.52, 13.405, 7);

        assertThat(fine).startsWith(coarse);
    }

    @Test
    void topicLevelsHoldOneCharacterEach() {
        assertThat(Geohash.topicLevels("u33db")).isEqualTo("u/3/3/d/b");
    }

    @Test
    void positionOutOfRangeIsRejected() {
        assertThatThrownBy(() -> Geohash.encode(91, 0, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("91");
    }

    @Test
    void areasAreDistinctNeighbouringCells() {
        List<String> areas = RideDispatchWorkload.areas(new Random(1), 16, 6);

        assertThat(areas).hasSize(16).doesNotHaveDuplicates();
        assertThat(areas).allSatisfy(area -> assertThat(area).hasSize(6).startsWith("u33"));
    }

    @Test
    void tooManyAreasForTheCityAreRejected() {
        assertThatThrownBy(() -> RideDispatchWorkload.areas(new Random(1), 50, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("precision");
    }
}
