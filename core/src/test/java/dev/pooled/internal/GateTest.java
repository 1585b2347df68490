package dev.pooled.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class GateTest {
    private static final long LONG = TimeUnit.SECONDS.toNanos(20);

    @Test
    void fastPathTakesAndReturnsPermitsUpToTheLimit() {
        Gate g = new Gate(2, 0, 10);
        assertThat(g.tryAcquire()).isTrue();
        assertThat(g.tryAcquire()).isTrue();
        assertThat(g.tryAcquire()).isFalse();
        assertThat(g.inUse()).isEqualTo(2);
        g.release();
        assertThat(g.tryAcquire()).isTrue();
        g.release();
        g.release();
        assertThat(g.inUse()).isZero();
    }

    @Test
    void aFullQueueRejectsAtOnce() {
        Gate g = new Gate(1, 0, 10);
        assertThat(g.tryAcquire()).isTrue();
        long t0 = System.nanoTime();
        assertThat(g.acquire(5, LONG)).isEqualTo(Gate.QUEUE_FULL);
        // QUEUE_FULL is decided before queueing; the bound only says it did not wait for the 20 s timeout. How fast a
        // rejection is belongs to a benchmark (AcquireReleaseBenchmark.Rejection), not to a loaded test machine.
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    void aWaiterTimesOutAtItsDeadlineAndLeavesTheQueue() {
        Gate g = new Gate(1, 4, 10);
        assertThat(g.tryAcquire()).isTrue();
        long t0 = System.nanoTime();
        assertThat(g.acquire(5, TimeUnit.MILLISECONDS.toNanos(100))).isEqualTo(Gate.TIMED_OUT);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        // never before the deadline; late only by how late a loaded machine wakes the waiter
        assertThat(waited).isBetween(100L, 3_000L);
        assertThat(g.queued()).isZero();
        g.release();
        assertThat(g.inUse()).isZero();
    }

    @Test
    void waitersAreServedByPriorityThenArrivalAndNewcomersCannotBarge() {
        Gate g = new Gate(1, 10, 10);
        assertThat(g.tryAcquire()).isTrue();
        List<String> order = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> all = new CopyOnWriteArrayList<>();
        String[] names = {"a1", "b5", "c1", "d9", "e5"};
        int[] prios = {1, 5, 1, 9, 5};
        for (int i = 0; i < names.length; i++) {
            String n = names[i];
            int p = prios[i];
            int expectQueued = i + 1;
            all.add(CompletableFuture.runAsync(() -> {
                if (g.acquire(p, LONG) == Gate.GRANTED) {
                    order.add(n);
                }
            }, r -> new Thread(r).start()));
            await().atMost(5, TimeUnit.SECONDS).until(() -> g.queued() == expectQueued);
        }
        for (int i = 0; i < names.length; i++) {
            int served = i;
            g.release();
            // the permit went to a waiter, not to the free count: a newcomer is refused
            assertThat(g.tryAcquire()).isFalse();
            await().atMost(5, TimeUnit.SECONDS).until(() -> order.size() == served + 1);
        }
        assertThat(order).containsExactly("d9", "b5", "e5", "a1", "c1");
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
        g.release();
        assertThat(g.inUse()).isZero();
        assertThat(g.queued()).isZero();
    }

    @Test
    void aFullQueueTurnsAwayTheNewestLowestPriorityWaiterNotAHigherPriorityArrival() {
        Gate g = new Gate(1, 3, 10);
        assertThat(g.tryAcquire()).isTrue();
        CompletableFuture<Integer> oldLow = CompletableFuture.supplyAsync(() -> g.acquire(0, LONG),
                r -> new Thread(r).start());
        await().atMost(5, TimeUnit.SECONDS).until(() -> g.queued() == 1);
        CompletableFuture<Integer> mid = CompletableFuture.supplyAsync(() -> g.acquire(4, LONG),
                r -> new Thread(r).start());
        await().atMost(5, TimeUnit.SECONDS).until(() -> g.queued() == 2);
        CompletableFuture<Integer> newLow = CompletableFuture.supplyAsync(() -> g.acquire(0, LONG),
                r -> new Thread(r).start());
        await().atMost(5, TimeUnit.SECONDS).until(() -> g.queued() == 3);
        // full: an arrival of no higher priority than every waiter is turned away itself
        assertThat(g.acquire(0, LONG)).isEqualTo(Gate.QUEUE_FULL);
        // a priority-9 arrival takes the place of the newest priority-0 waiter, which gets the rejection
        CompletableFuture<Integer> high = CompletableFuture.supplyAsync(() -> g.acquire(9, LONG),
                r -> new Thread(r).start());
        assertThat(newLow.join()).isEqualTo(Gate.QUEUE_FULL);
        assertThat(g.queued()).isEqualTo(3);
        g.release();
        assertThat(high.join()).as("served first").isEqualTo(Gate.GRANTED);
        assertThat(oldLow).isNotDone();
        g.release();
        assertThat(mid.join()).isEqualTo(Gate.GRANTED);
        g.release();
        assertThat(oldLow.join()).isEqualTo(Gate.GRANTED);
        g.release();
        assertThat(g.inUse()).isZero();
        assertThat(g.queued()).isZero();
    }

    @Test
    void raisingTheLimitServesWaitersAndLoweringItTakesEffectAsPermitsReturn() {
        Gate g = new Gate(1, 10, 10);
        assertThat(g.tryAcquire()).isTrue();
        CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> g.acquire(5, LONG),
                r -> new Thread(r).start());
        await().atMost(5, TimeUnit.SECONDS).until(() -> g.queued() == 1);
        g.setLimit(3);
        assertThat(waiter.join()).isEqualTo(Gate.GRANTED);
        assertThat(g.tryAcquire()).isTrue();
        assertThat(g.tryAcquire()).isFalse();
        g.setLimit(1);
        g.release();
        g.release();
        assertThat(g.tryAcquire()).as("two of three returned, limit 1: one still out").isFalse();
        g.release();
        assertThat(g.tryAcquire()).isTrue();
        g.release();
        assertThat(g.inUse()).isZero();
    }

    @Test
    void closeWakesEveryWaiterAndRefusesNewcomers() {
        Gate g = new Gate(1, 10, 10);
        assertThat(g.tryAcquire()).isTrue();
        CompletableFuture<Integer> w1 = CompletableFuture.supplyAsync(() -> g.acquire(1, LONG),
                r -> new Thread(r).start());
        CompletableFuture<Integer> w2 = CompletableFuture.supplyAsync(() -> g.acquire(9, LONG),
                r -> new Thread(r).start());
        await().atMost(5, TimeUnit.SECONDS).until(() -> g.queued() == 2);
        g.close();
        assertThat(w1.join()).isEqualTo(Gate.CLOSED);
        assertThat(w2.join()).isEqualTo(Gate.CLOSED);
        assertThat(g.tryAcquire()).isFalse();
        assertThat(g.acquire(5, LONG)).isEqualTo(Gate.CLOSED);
        assertThat(g.queued()).isZero();
    }

    @Test
    void anInterruptedWaiterLeavesTheQueueWithItsFlagSet() throws Exception {
        Gate g = new Gate(1, 10, 10);
        assertThat(g.tryAcquire()).isTrue();
        int[] result = new int[1];
        boolean[] flag = new boolean[1];
        Thread t = new Thread(() -> {
            result[0] = g.acquire(5, LONG);
            flag[0] = Thread.currentThread().isInterrupted();
        });
        t.start();
        await().atMost(5, TimeUnit.SECONDS).until(() -> g.queued() == 1);
        t.interrupt();
        t.join(5_000);
        assertThat(result[0]).isEqualTo(Gate.INTERRUPTED);
        assertThat(flag[0]).isTrue();
        assertThat(g.queued()).isZero();
    }
}
