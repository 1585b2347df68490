package dev.pooled.jdbc;

import dev.pooled.PoolAcquireTimeoutException;
import dev.pooled.PoolCircuitOpenException;
import dev.pooled.PoolOverloadedException;
import dev.pooled.PoolQueueFullException;
import dev.pooled.PoolRateLimitedException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Bounded load for integration tests: closed loops of threads, or open-loop arrivals at a rate. */
final class LoadDriver {
    private LoadDriver() {
    }

    /** Where connections come from. */
    interface Source {
        Connection get() throws SQLException;
    }

    /** What one request does with its connection. */
    interface Work {
        void run(Connection c) throws SQLException;
    }

    /** @return work that runs {@code select pg_sleep(seconds)} with the seconds read at each call */
    static Work pgSleep(java.util.function.DoubleSupplier seconds) {
        return c -> {
            try (Statement st = c.createStatement()) {
                st.execute("select pg_sleep(" + seconds.getAsDouble() + ")");
            }
        };
    }

    /** What a run saw. Thread-safe while it runs; read it after. */
    static final class Result {
        final LongAdder served = new LongAdder();
        final LongAdder queueFull = new LongAdder();
        final LongAdder overloaded = new LongAdder();
        final LongAdder timedOut = new LongAdder();
        final LongAdder circuitOpen = new LongAdder();
        final LongAdder rateLimited = new LongAdder();
        final LongAdder generatorOverflow = new LongAdder();
        final List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        /** getConnection() until a connection, served requests only, nanoseconds. */
        final Recorder acquire = new Recorder(TimeUnit.MINUTES.toNanos(5), 3);
        /** getConnection() until the rejection, nanoseconds; timeouts included. */
        final Recorder rejection = new Recorder(TimeUnit.MINUTES.toNanos(5), 3);
        /** getConnection() until the rejection, immediate rejections only (not timeouts). */
        final Recorder immediateRejection = new Recorder(TimeUnit.MINUTES.toNanos(5), 3);
        private Histogram acquireH;
        private Histogram rejectionH;
        private Histogram immediateH;

        long rejected() {
            return queueFull.sum() + overloaded.sum() + timedOut.sum() + circuitOpen.sum() + rateLimited.sum();
        }

        long total() {
            return served.sum() + rejected();
        }

        Histogram acquireHistogram() {
            if (acquireH == null) {
                acquireH = acquire.getIntervalHistogram();
            }
            return acquireH;
        }

        Histogram rejectionHistogram() {
            if (rejectionH == null) {
                rejectionH = rejection.getIntervalHistogram();
            }
            return rejectionH;
        }

        Histogram immediateRejectionHistogram() {
            if (immediateH == null) {
                immediateH = immediateRejection.getIntervalHistogram();
            }
            return immediateH;
        }

        /** @return served per second over a run of that many seconds */
        double throughput(double seconds) {
            return served.sum() / seconds;
        }

        @Override
        public String toString() {
            return "served=" + served.sum() + " queueFull=" + queueFull.sum() + " overloaded=" + overloaded.sum()
                    + " timedOut=" + timedOut.sum() + " circuitOpen=" + circuitOpen.sum() + " rateLimited="
                    + rateLimited.sum() + " overflow=" + generatorOverflow.sum() + " unexpected=" + unexpected.size();
        }
    }

    /**
     * One request: borrow, work, give back; classify the outcome.
     *
     * @return whether it was served
     */
    static boolean once(Source source, Work work, Result r) {
        long t0 = System.nanoTime();
        Connection c;
        try {
            c = source.get();
        } catch (PoolQueueFullException | PoolOverloadedException | PoolCircuitOpenException
                | PoolRateLimitedException e) {
            long t = System.nanoTime() - t0;
            r.rejection.recordValue(t);
            r.immediateRejection.recordValue(t);
            (e instanceof PoolQueueFullException ? r.queueFull : e instanceof PoolOverloadedException ? r.overloaded
                    : e instanceof PoolCircuitOpenException ? r.circuitOpen : r.rateLimited).increment();
            return false;
        } catch (PoolAcquireTimeoutException e) {
            r.rejection.recordValue(System.nanoTime() - t0);
            r.timedOut.increment();
            return false;
        } catch (SQLException | RuntimeException e) {
            r.unexpected.add(e);
            return false;
        }
        r.acquire.recordValue(System.nanoTime() - t0);
        try (Connection held = c) {
            work.run(held);
            r.served.increment();
            return true;
        } catch (SQLException | RuntimeException e) {
            r.unexpected.add(e);
            return false;
        }
    }

    /**
     * {@code threads} threads, each doing requests back to back, until {@code seconds} pass or {@code stop} is set
     * (at most {@code maxPerThread} each). A thread turned away pauses 1 ms before its next request, as a client
     * that retries would; without it, threads spinning on microsecond rejections starve the others of CPU.
     */
    static Result closedLoop(int threads, double seconds, int maxPerThread, Source source, Work work,
            AtomicBoolean stop) throws InterruptedException {
        Result r = new Result();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = new Thread(() -> {
                for (int n = 0; n < maxPerThread && System.nanoTime() < end && !stop.get(); n++) {
                    if (!once(source, work, r)) {
                        LockSupport.parkNanos(1_000_000L);
                    }
                }
            }, "closed-loop-" + i);
            ts[i].setDaemon(true);
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join((long) (seconds * 1000) + 60_000);
        }
        return r;
    }

    /** A running open-loop generator whose rate can change. */
    static final class OpenLoop implements AutoCloseable {
        final Result result = new Result();
        private final ThreadPoolExecutor workers;
        private final Thread dispatcher;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong dispatched = new AtomicLong();
        private volatile double ratePerSecond;

        /**
         * Poisson arrivals (exponential gaps from a fixed seed) at {@code ratePerSecond}, each handled on a worker
         * thread (at most {@code maxWorkers}; an arrival finding none is counted as generator overflow), until
         * {@link #close()} or {@code maxArrivals}.
         */
        OpenLoop(double ratePerSecond, int maxWorkers, long maxArrivals, Source source, Work work) {
            this.ratePerSecond = ratePerSecond;
            this.workers = new ThreadPoolExecutor(0, maxWorkers, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                    r -> {
                        Thread t = new Thread(r, "open-loop-worker");
                        t.setDaemon(true);
                        return t;
                    });
            this.dispatcher = new Thread(() -> {
                Random random = new Random(1234);
                long next = System.nanoTime();
                while (!stop.get() && dispatched.get() < maxArrivals) {
                    double gap = -Math.log(1.0 - random.nextDouble()) / this.ratePerSecond;
                    next += (long) (gap * 1e9);
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    dispatched.incrementAndGet();
                    try {
                        workers.execute(() -> once(source, work, result));
                    } catch (RejectedExecutionException e) {
                        result.generatorOverflow.increment();
                    }
                }
            }, "open-loop-dispatcher");
            dispatcher.setDaemon(true);
            dispatcher.start();
        }

        void rate(double perSecond) {
            ratePerSecond = perSecond;
        }

        long dispatched() {
            return dispatched.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            dispatcher.join(10_000);
            workers.shutdown();
            if (!workers.awaitTermination(60, TimeUnit.SECONDS)) {
                throw new AssertionError("open-loop workers did not finish");
            }
        }
    }
}
