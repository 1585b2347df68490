package dev.pooled.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooled.BudgetSource;
import dev.pooled.ConnectionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The control loops on a simulated pool and a synthetic clock: no threads, no sleeps. The simulated pool has
 * {@code demand} callers wanting a connection; {@code min(demand, limit)} hold one, the rest queue; holders complete
 * at {@code inUse / W} per second.
 */
@Timeout(30)
class ControlLoopTest {
    private static final long TICK = ControlLoop.SAMPLE_NANOS;

    /** A pool whose demand and hold time the test sets. */
    static final class SimPlant implements ControlLoop.Plant {
        final Random random = new Random(42);
        double demandMean;
        boolean poisson;
        double holdSeconds = 0.02;
        int limit;
        int size;
        int physical;
        int maxQueue = 1_000;
        boolean paused;
        double acquired;
        long rejected;
        int inUse;
        int queued;
        final List<int[]> resizes = new ArrayList<>();
        final List<Integer> limits = new ArrayList<>();

        SimPlant(int size) {
            this.size = size;
            this.limit = size;
            this.physical = size;
        }

        /** Advances the simulation by one tick. */
        void step() {
            int demand = poisson ? poissonSample(demandMean) : (int) Math.round(demandMean);
            inUse = Math.min(demand, limit);
            int waiting = demand - inUse;
            queued = Math.min(waiting, maxQueue);
            rejected += Math.max(0, waiting - maxQueue) / 10;
            acquired += inUse * (TICK / 1e9) / holdSeconds;
        }

        private int poissonSample(double mean) {
            double l = Math.exp(-mean);
            int k = 0;
            double p = 1;
            do {
                k++;
                p *= random.nextDouble();
            } while (p > l);
            return k - 1;
        }

        @Override
        public int inUse() {
            return inUse;
        }

        @Override
        public int queued() {
            return queued;
        }

        @Override
        public long acquired() {
            return (long) acquired;
        }

        @Override
        public long capacityRejections() {
            return rejected;
        }

        @Override
        public int physical() {
            return physical;
        }

        @Override
        public int physicalMax() {
            return size;
        }

        @Override
        public boolean paused() {
            return paused;
        }

        @Override
        public void applySize(int newSize) {
            size = newSize;
            physical = Math.max(physical, newSize);
        }

        @Override
        public void applyLimit(int newLimit) {
            limit = newLimit;
            limits.add(newLimit);
        }

        @Override
        public int evictIdle(int count) {
            int n = Math.min(count, physical - inUse);
            physical -= n;
            return n;
        }

        @Override
        public void resized(int from, int to, String reason) {
            resizes.add(new int[] {from, to});
        }
    }

    private long now = 1_000_000_000L;

    private ControlLoop loop(SimPlant p, boolean autosize, int min, int max, boolean throttle,
            ConnectionBudget.Claim claim) {
        return new ControlLoop("test", p, autosize, min, max, throttle, claim, Breaker.DISABLED, p.size, now);
    }

    private void run(ControlLoop loop, SimPlant p, double seconds) {
        long ticks = Math.round(seconds * 1e9 / TICK);
        for (long i = 0; i < ticks; i++) {
            now += TICK;
            p.step();
            loop.tick(now);
        }
    }

    @Test
    void aSteadyLoadConvergesToLittlesLawPlusHeadroomAndStaysThere() {
        SimPlant p = new SimPlant(20);
        p.poisson = true;
        p.demandMean = 5; // λ·W = 5 connections: 250/s held 20 ms each
        ControlLoop loop = loop(p, true, 2, 20, true, null);
        run(loop, p, 15);
        double a = loop.snapshot().offeredLoad();
        assertThat(a).isBetween(5 * 0.9, 5 * 1.1);
        assertThat(loop.snapshot().arrivalRate()).isBetween(225.0, 275.0);
        assertThat(loop.snapshot().holdTimeNanos() / 1e6).isBetween(19.0, 21.0);
        int converged = p.size;
        assertThat(converged).as("a + 1.5·√a = %.1f, within the peak", a + 1.5 * Math.sqrt(a))
                .isBetween((int) Math.floor(a * 0.75), (int) Math.ceil((a + 1.5 * Math.sqrt(a)) * 1.25));
        int resizesBefore = p.resizes.size();
        run(loop, p, 30);
        assertThat(p.resizes.size() - resizesBefore).as("resizes in 30 s of steady load").isLessThanOrEqualTo(1);
        assertThat(p.limit).isEqualTo(p.size);
        assertThat(loop.snapshot().reason()).startsWith("shrink");
    }

    @Test
    void aSaturatedPoolGrowsAtOnceByTheQueueItSees() {
        SimPlant p = new SimPlant(4);
        p.demandMean = 10; // ten closed-loop threads
        ControlLoop loop = loop(p, true, 2, 20, true, null);
        run(loop, p, 0.2);
        assertThat(p.size).as("one epoch after the queue appeared").isEqualTo(10);
        assertThat(p.limit).isEqualTo(10);
        assertThat(loop.snapshot().reason()).startsWith("grow 4 -> 10");
        run(loop, p, 10);
        assertThat(p.size).as("N threads need N connections, not N + K√N").isEqualTo(10);
    }

    @Test
    void aPausedPoolKeepsItsSize() {
        SimPlant p = new SimPlant(4);
        p.paused = true;
        p.demandMean = 30; // callers pile up in the queue of a paused pool
        ControlLoop loop = loop(p, true, 2, 20, true, null);
        run(loop, p, 2);
        assertThat(p.size).isEqualTo(4);
        p.paused = false;
        run(loop, p, 0.2);
        assertThat(p.size).isEqualTo(20);
    }

    @Test
    void growthStopsAtMaxConnections() {
        SimPlant p = new SimPlant(4);
        p.demandMean = 50;
        ControlLoop loop = loop(p, true, 2, 12, true, null);
        run(loop, p, 1);
        assertThat(p.size).isEqualTo(12);
    }

    @Test
    void aStepDownShrinksAfterADelayInHalvingStepsWithoutGrowingBack() {
        SimPlant p = new SimPlant(2);
        p.demandMean = 16;
        ControlLoop loop = loop(p, true, 2, 20, true, null);
        run(loop, p, 10);
        assertThat(p.size).isEqualTo(16);
        p.demandMean = 3;
        int mark = p.resizes.size();
        run(loop, p, 2);
        assertThat(p.size).as("no shrink for 2 s").isEqualTo(16);
        run(loop, p, 13);
        List<int[]> after = p.resizes.subList(mark, p.resizes.size());
        assertThat(after).allSatisfy(r -> assertThat(r[1]).as("shrinks only").isLessThan(r[0]));
        assertThat(after).allSatisfy(r -> assertThat(r[1]).as("at most halving").isGreaterThanOrEqualTo(r[0] / 2));
        assertThat(p.size).as("demand 3, within the dead band of one").isBetween(3, 4);
        assertThat(p.physical).as("idle connections closed").isEqualTo(p.size);
    }

    @Test
    void anIdlePoolShrinksToMinIdle() {
        SimPlant p = new SimPlant(10);
        ControlLoop loop = loop(p, true, 2, 10, true, null);
        run(loop, p, 12);
        assertThat(p.size).isEqualTo(2);
        assertThat(p.limit).isEqualTo(2);
    }

    @Test
    void fixedSizingKeepsMaxConnections() {
        SimPlant p = new SimPlant(10);
        p.demandMean = 1;
        ControlLoop loop = loop(p, false, 10, 10, true, null);
        run(loop, p, 15);
        assertThat(p.size).isEqualTo(10);
        assertThat(p.resizes).isEmpty();
    }

    @Test
    void theLimitFallsWhenHoldTimesRiseAndComesBackAfter() {
        SimPlant p = new SimPlant(8);
        p.demandMean = 16;
        p.holdSeconds = 0.005;
        ControlLoop loop = loop(p, false, 8, 8, true, null);
        run(loop, p, 5);
        assertThat(p.limit).isEqualTo(8);
        long perPlace = loop.nanosPerPosition();
        assertThat(perPlace / 1e6).as("W / limit / margin").isBetween(0.4, 0.6);

        p.holdSeconds = 0.040; // the database got 8x slower
        run(loop, p, 1.5);
        assertThat(p.limit).as("limit under an 8x slowdown").isLessThanOrEqualTo(3);
        assertThat(p.size).isEqualTo(8);
        assertThat(loop.nanosPerPosition()).isGreaterThan(perPlace * 4);

        p.holdSeconds = 0.005;
        run(loop, p, 2);
        assertThat(p.limit).as("recovered").isEqualTo(8);
    }

    @Test
    void aThrottledPoolDoesNotGrow() {
        SimPlant p = new SimPlant(6);
        p.demandMean = 6;
        p.holdSeconds = 0.005;
        ControlLoop loop = loop(p, true, 2, 20, true, null);
        run(loop, p, 5);
        int before = p.size;
        p.holdSeconds = 0.050;
        run(loop, p, 0.5);
        p.demandMean = 30;
        run(loop, p, 2);
        assertThat(p.limit).isLessThan(p.size);
        assertThat(p.size).isEqualTo(before);
    }

    @Test
    void withoutThrottlingTheLimitIsTheSize() {
        SimPlant p = new SimPlant(8);
        p.demandMean = 16;
        p.holdSeconds = 0.005;
        ControlLoop loop = loop(p, false, 8, 8, false, null);
        run(loop, p, 5);
        p.holdSeconds = 0.040;
        run(loop, p, 3);
        assertThat(p.limit).isEqualTo(8);
        assertThat(loop.nanosPerPosition()).isZero();
    }

    @Test
    void aBudgetGrantCapsTheSize() throws Exception {
        ConnectionBudget budget = BudgetSource.local().budget("control-loop-test-" + System.nanoTime(), 6);
        ConnectionBudget.Claim other = budget.claim("other", 9);
        other.update(4, 4);
        ConnectionBudget.Claim mine = budget.claim("mine", 5);
        SimPlant p = new SimPlant(Math.min(10, mine.update(10, 0)));
        assertThat(p.size).isEqualTo(2);
        p.demandMean = 10;
        ControlLoop loop = loop(p, true, 2, 10, true, mine);
        run(loop, p, 1);
        assertThat(p.size).isEqualTo(2);
        assertThat(loop.snapshot().grant()).isEqualTo(2);
        other.close();
        run(loop, p, 0.3);
        assertThat(p.size).isEqualTo(6);
        assertThat(TimeUnit.NANOSECONDS.toMillis(TICK)).isEqualTo(10);
    }
}
