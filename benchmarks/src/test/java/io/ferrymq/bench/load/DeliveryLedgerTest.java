package io.ferrymq.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class DeliveryLedgerTest {

  @Test
  void countsUniqueAndDuplicateDeliveries() {
    DeliveryLedger ledger = new DeliveryLedger(2);

    assertThat(ledger.record(0, 0)).isTrue();
    assertThat(ledger.record(0, 1)).isTrue();
    assertThat(ledger.record(0, 1)).isFalse();
    assertThat(ledger.record(1, 0)).isTrue();

    assertThat(ledger.received()).isEqualTo(4);
    assertThat(ledger.duplicates()).isEqualTo(1);
    assertThat(ledger.unique(0)).isEqualTo(2);
    assertThat(ledger.unique(1)).isEqualTo(1);
  }

  @Test
  void lostCountsMessagesThatNeverArrived() {
    DeliveryLedger ledger = new DeliveryLedger(1);
    for (long sequence : new long[] {0, 1, 4, 8}) {
      ledger.record(0, sequence);
    }

    assertThat(ledger.lost(0, 10)).isEqualTo(6);
  }

  @Test
  void missingRangesListsGapsUpToSent() {
    DeliveryLedger ledger = new DeliveryLedger(1);
    for (long sequence : new long[] {0, 1, 4, 8}) {
      ledger.record(0, sequence);
    }

    assertThat(ledger.missingRanges(0, 10, 5)).isEqualTo("2-3,5-7,9");
    assertThat(ledger.missingRanges(0, 10, 1)).isEqualTo("2-3");
    assertThat(ledger.missingRanges(0, 2, 5)).isEmpty();
  }

  @Test
  void reorderedCountsLateFirstDeliveries() {
    DeliveryLedger ledger = new DeliveryLedger(2);
    for (long sequence : new long[] {0, 2, 1, 3, 3}) {
      ledger.record(0, sequence);
    }
    ledger.record(1, 5);
    ledger.record(1, 4);

    assertThat(ledger.reordered()).isEqualTo(2);
    assertThat(ledger.duplicates()).isEqualTo(1);
    assertThat(ledger.uniqueTotal()).isEqualTo(6);
  }
}
