package dev.pooled.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class GateEarlyRejectionTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aCallerWhoseExpectedWaitExceedsItsTimeoutIsRejectedAtOnce() {
        Gate g = new Gate(1, 10, 10);
        assertThat(g.tryAcquire()).isTrue();
        long t0 = System.nanoTime();
        // first in line, 30 ms per place, 20 ms to wait: would not make it
        assertThat(g.acquire(5, 20 * MS, 30 * MS)).isEqualTo(Gate.OVERLOADED);
        // decided before queueing (a queued caller would have come back TIMED_OUT); speed is a benchmark's job
        assertThat(System.nanoTime() - t0).isLessThan(2_000 * MS);
        assertThat(g.queued()).isZero();
        // 10 ms per place: queues, and times out as usual (nobody releases)
        assertThat(g.acquire(5, 20 * MS, 10 * MS)).isEqualTo(Gate.TIMED_OUT);
        // without an estimate it always queues
        assertThat(g.acquire(5, 20 * MS, 0L)).isEqualTo(Gate.TIMED_OUT);
    }

    @Test
    void onlyWaitersOfTheSameOrHigherPriorityCountAsAhead() throws Exception {
        Gate g = new Gate(1, 10, 10);
        assertThat(g.tryAcquire()).isTrue();
        CompletableFuture<Integer> low1 = waiter(g, 1);
        CompletableFuture<Integer> low2 = waiter(g, 1);
        await().atMost(5, TimeUnit.SECONDS).until(() -> g.queued() == 2);
        // a low-priority caller is third in line: 3 x 10 ms > 25 ms
        assertThat(g.acquire(1, 25 * MS, 10 * MS)).isEqualTo(Gate.OVERLOADED);
        // a high-priority one goes first: 1 x 10 ms < 25 ms, so it queues (and times out: nobody releases)
        assertThat(g.acquire(9, 25 * MS, 10 * MS)).isEqualTo(Gate.TIMED_OUT);
        g.release();
        g.release();
        assertThat(low1.get(5, TimeUnit.SECONDS)).isEqualTo(Gate.GRANTED);
        assertThat(low2.get(5, TimeUnit.SECONDS)).isEqualTo(Gate.GRANTED);
    }

    @Test
    void aLimitOfZeroAdmitsNobodyUntilRaised() throws Exception {
        Gate g = new Gate(0, 10, 10);
        assertThat(g.tryAcquire()).isFalse();
        CompletableFuture<Integer> w = waiter(g, 5);
        await().atMost(5, TimeUnit.SECONDS).until(() -> g.queued() == 1);
        g.setLimit(2);
        assertThat(w.get(5, TimeUnit.SECONDS)).isEqualTo(Gate.GRANTED);
        assertThat(g.tryAcquire()).isTrue();
        assertThat(g.inUse()).isEqualTo(2);
        g.setLimit(0);
        assertThat(g.inUse()).isEqualTo(2);
        g.release();
        g.release();
        assertThat(g.inUse()).isZero();
        assertThat(g.tryAcquire()).isFalse();
    }

    private static CompletableFuture<Integer> waiter(Gate g, int priority) {
        return CompletableFuture.supplyAsync(() -> g.acquire(priority, TimeUnit.SECONDS.toNanos(20)),
                r -> new Thread(r).start());
    }
}
