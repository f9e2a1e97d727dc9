package io.ferrymq.sim.scenario.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.sim.scenario.workload.DispatchBoard.Decision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DispatchBoardTest {
    private final DispatchBoard board = new DispatchBoard();

    @Test
    void firstAcceptWins() {
        board.open(7);

        assertThat(board.accept(7, "driver-1")).isEqualTo(Decision.WON);
        assertThat(board.accept(7, "driver-2")).isEqualTo(Decision.TAKEN);
        assertThat(board.winner(7)).isEqualTo("driver-1");
        assertThat(board.assigned()).isEqualTo(1);
        assertThat(board.turnedDown()).isEqualTo(1);
    }

    @Test
    void sameDriverAcceptingAgainIsTurnedDown() {
        board.open(7);
        board.accept(7, "driver-1");

        assertThat(board.accept(7, "driver-1")).isEqualTo(Decision.TAKEN);
        assertThat(board.winner(7)).isEqualTo("driver-1");
    }

    @Test
    void acceptOfUnknownRequestIsCounted() {
        assertThat(board.accept(99, "driver-1")).isEqualTo(Decision.UNKNOWN_REQUEST);
        assertThat(board.unknownAccepts()).isEqualTo(1);
        assertThat(board.assigned()).isZero();
    }

    @Test
    void requestsAreAssignedIndependently() {
        board.open(1);
        board.open(2);

        assertThat(board.accept(1, "driver-1")).isEqualTo(Decision.WON);
        assertThat(board.accept(2, "driver-2")).isEqualTo(Decision.WON);
        assertThat(board.requests()).isEqualTo(2);
        assertThat(board.assigned()).isEqualTo(2);
    }
}
