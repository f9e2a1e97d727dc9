package io.ferrymq.backpressure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TokenBucketTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void burstPassesWithoutPause() {
    TokenBucket bucket = new TokenBucket(10, 5, 0);

    for (int i = 0; i < 5; i++) {
      assertThat(bucket.take(1, 0)).isZero();
    }
    assertThat(bucket.take(1, 0)).isEqualTo(SECOND / 10);
  }

  @Test
  void pausesAddUpToTheRate() {
    TokenBucket bucket = new TokenBucket(100, 1, 0);
    long now = 0;

    bucket.take(1, now);
    for (int i = 0; i < 1000; i++) {
      now += bucket.take(1, now);
    }

    // 1000 messages after the burst took 10 s at 100 per second.
    assertThat(now).isEqualTo(10 * SECOND);
  }

  @Test
  void refillStopsAtCapacity() {
    TokenBucket bucket = new TokenBucket(1000, 10, 0);

    assertThat(bucket.take(10, 60 * SECOND)).isZero();
    assertThat(bucket.take(1, 60 * SECOND)).isEqualTo(SECOND / 1000);
  }
}
