package dev.pooled.internal;

import dev.pooled.Instrumentation;
import dev.pooled.PoolListener;
import dev.pooled.PoolStats;
import dev.pooled.RejectReason;
import dev.pooled.metrics.MetricNames;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One pool's meters, built once when the pool starts and removed when it closes, plus the exact distributions
 * behind {@link PoolStats}. Recording is lock-free: Micrometer timers and counters, and HdrHistogram
 * {@link Recorder}s (wait-free writers). Gauges read the pool's cached state and never do I/O.
 *
 * <p>Thread-safe.
 */
public final class PoolMetrics {
    /** Longest value an HdrHistogram keeps (1 h in nanoseconds); longer values are clamped to it. */
    private static final long HIGHEST_NANOS = TimeUnit.HOURS.toNanos(1);

    /** What the gauges read. */
    public interface Source {
        int limit();

        int active();

        int idleConnections();

        int physicalConnections();

        int queued();

        int maxQueue();

        int maxConnections();

        int minIdle();

        boolean paused();

        /** @return the size the pool keeps now (the sizer's target after the budget) */
        int targetSize();

        /** @return λ: arrivals of borrows per second over the last 5 s */
        double arrivalRate();

        /** @return W: mean hold time over the last 5 s, in seconds; NaN before the first acquisition */
        double holdTimeSeconds();

        /** @return λ·W over the last 5 s, in connections */
        double offeredLoad();

        /** @return 0 closed, 1 open, 2 half-open; -1 without a breaker */
        int breakerState();

        /** @return the budget grant; NaN without a budget */
        double budgetShare();

        /** @return the version of the config in force; 0 = the one the pool started with */
        long configVersion();
    }

    private final String pool;
    private final MeterRegistry registry;
    private final PoolListener listener;
    private final List<Meter> meters = new ArrayList<>();
    private final Timer waitTimer;
    private final Timer useTimer;
    private final Timer createTimer;
    private final Timer transactionTimer;
    /*
     * One count per event, read by both PoolStats and the meters: the counters registered below are function
     * counters over these adders, so an event costs one increment whatever registry is attached.
     */
    private final LongAdder[] rejectionCounts = new LongAdder[RejectReason.values().length];
    private final LongAdder acquired = new LongAdder();
    /** Acquisitions whose wait was recorded (at least {@link #SHORT_WAIT_NANOS}); the others count as zero waits. */
    private final LongAdder waitsTimed = new LongAdder();
    private final LongAdder leakCount = new LongAdder();
    private final LongAdder reclaimCount = new LongAdder();
    private final LongAdder grown = new LongAdder();
    private final LongAdder shrunk = new LongAdder();
    /** A wait shorter than this (a caller admitted at once) is not timed: it counts as zero in {@link #waits}. */
    private static final long SHORT_WAIT_MICROS = 10;
    private static final long SHORT_WAIT_NANOS = TimeUnit.MICROSECONDS.toNanos(SHORT_WAIT_MICROS);
    /** Exact distributions behind {@link PoolStats}, guarded by {@link #statsLock} when read. */
    private final Distribution waits = new Distribution();
    private final Distribution uses = new Distribution();
    private final Distribution transactions = new Distribution();
    private final ReentrantLock statsLock = new ReentrantLock();

    /**
     * @param pool the pool name (tag {@code pool})
     * @param service tag {@code service}
     * @param dbRole tag {@code db_role}
     * @param source what the gauges read
     * @param instrumentation where meters go, SLOs, percentiles, listener
     */
    public PoolMetrics(String pool, String service, String dbRole, Source source, Instrumentation instrumentation) {
        this.pool = pool;
        this.registry = instrumentation.meterRegistry();
        this.listener = instrumentation.listener();
        Tags tags = Tags.of(MetricNames.TAG_SERVICE, service, MetricNames.TAG_DB_ROLE, dbRole, MetricNames.TAG_POOL,
                pool);
        Duration[] slos = instrumentation.slos().toArray(new Duration[0]);
        double[] percentiles = instrumentation.percentiles();

        waitTimer = timer(MetricNames.WAIT_TIME, "Time to get a connection, queueing included", tags, slos,
                percentiles);
        useTimer = timer(MetricNames.USE_TIME, "Time a connection was held", tags, slos, percentiles);
        createTimer = timer(MetricNames.CREATE_TIME, "Time to open a physical connection", tags, slos, percentiles);
        transactionTimer = timer(MetricNames.TRANSACTION_TIME, "Time from a transaction's first statement to its"
                + " commit or rollback", tags, slos, percentiles);
        for (RejectReason r : RejectReason.values()) {
            rejectionCounts[r.ordinal()] = new LongAdder();
            counter(MetricNames.REJECTIONS, "Requests turned away without a connection",
                    tags.and(MetricNames.TAG_REASON, r.tag()), rejectionCounts[r.ordinal()]);
        }
        counter(MetricNames.ACQUISITIONS, "Connections handed out; those not in wait_time's count were admitted at"
                + " once", tags, acquired);
        counter(MetricNames.TIMEOUTS, "Requests that gave up waiting for a connection", tags,
                rejectionCounts[RejectReason.TIMEOUT.ordinal()]);
        counter(MetricNames.LEAKS_DETECTED, "Connections held past leak_threshold_ms", tags, leakCount);
        counter(MetricNames.LEAKS_RECLAIMED, "Connections taken back after leak_reclaim_ms", tags, reclaimCount);

        gauge(MetricNames.CONNECTION_COUNT, "Connections by state", tags.and(MetricNames.TAG_STATE, "idle"), source,
                s -> s.idleConnections());
        gauge(MetricNames.CONNECTION_COUNT, "Connections by state", tags.and(MetricNames.TAG_STATE, "used"), source,
                s -> s.active());
        gauge(MetricNames.CONNECTION_MAX, "The most connections the pool may open", tags, source,
                s -> s.maxConnections());
        gauge(MetricNames.CONNECTION_IDLE_MIN, "The fewest idle connections kept", tags, source, s -> s.minIdle());
        gauge(MetricNames.PENDING_REQUESTS, "Callers waiting for a connection", tags, source, s -> s.queued());
        gauge(MetricNames.QUEUE_DEPTH, "Callers waiting for a connection", tags, source, s -> s.queued());
        gauge(MetricNames.QUEUE_MAX, "The most callers that may wait", tags, source, s -> s.maxQueue());
        gauge(MetricNames.LIMIT, "The current limit on connections held at once", tags, source, s -> s.limit());
        gauge(MetricNames.UTILIZATION, "Connections in use / limit", tags, source,
                s -> s.limit() == 0 ? 0 : (double) s.active() / s.limit());
        gauge(MetricNames.PAUSED, "1 while the pool admits nobody", tags, source, s -> s.paused() ? 1 : 0);
        gauge(MetricNames.TARGET_SIZE, "Physical connections the pool keeps now (sizing target after the budget)",
                tags, source, s -> s.targetSize());
        gauge(MetricNames.ARRIVAL_RATE, "Arrivals of borrows per second over the last 5 s (λ)", tags, source,
                s -> s.arrivalRate());
        gauge(MetricNames.HOLD_TIME, "Mean connection hold time over the last 5 s (W), seconds", tags, source,
                s -> s.holdTimeSeconds());
        gauge(MetricNames.OFFERED_LOAD, "λ·W over the last 5 s: connections wanted", tags, source,
                s -> s.offeredLoad());
        gauge(MetricNames.BREAKER_STATE, "Circuit breaker: 0 closed, 1 open, 2 half-open, -1 none", tags, source,
                s -> s.breakerState());
        gauge(MetricNames.BUDGET_SHARE, "Connections the shared budget grants this pool", tags, source,
                s -> s.budgetShare());
        gauge(MetricNames.CONFIG_VERSION, "Version of the config in force (0 = the one the pool started with)", tags,
                source, s -> s.configVersion());
        counter(MetricNames.RESIZES, "Changes of the pool size", tags.and(MetricNames.TAG_DIRECTION, "grow"), grown);
        counter(MetricNames.RESIZES, "Changes of the pool size", tags.and(MetricNames.TAG_DIRECTION, "shrink"),
                shrunk);
    }

    private Timer timer(String name, String description, Tags tags, Duration[] slos, double[] percentiles) {
        Timer t = Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(slos)
                .publishPercentiles(percentiles).register(registry);
        meters.add(t);
        return t;
    }

    private void counter(String name, String description, Tags tags, LongAdder count) {
        meters.add(FunctionCounter.builder(name, count, LongAdder::sum).description(description).tags(tags)
                .register(registry));
    }

    private void gauge(String name, String description, Tags tags, Source source, ToDoubleFunction<Source> f) {
        meters.add(Gauge.builder(name, source, f).description(description).tags(tags).strongReference(true)
                .register(registry));
    }

    /**
     * @return whether anything consumes per-borrow timings: a listener, or a registry that publishes (not an empty
     *         composite such as an unused {@code Metrics.globalRegistry}). Without a consumer the pool times only
     *         the callers that queued at the gate. Any thread; may turn true later (a registry added to a composite).
     */
    public boolean timingsConsumed() {
        return listener != PoolListener.NONE || !(registry instanceof CompositeMeterRegistry)
                || !((CompositeMeterRegistry) registry).getRegistries().isEmpty();
    }

    /**
     * A connection handed out to a caller the gate admitted at once: counted, not timed (its wait is zero to the
     * listener). The acquire path's only metrics cost when nothing consumes timings.
     */
    public void acquiredAtOnce() {
        acquired.increment();
        listener.acquired(pool, 0L);
    }

    /** @param waitedNanos a connection handed out to a caller that queued at the gate, after this wait */
    public void acquiredAfter(long waitedNanos) {
        acquired.increment();
        recordWait(waitedNanos);
        listener.acquired(pool, waitedNanos);
    }

    /**
     * Times a wait, from {@code getConnection()} to a connection. Waits under {@value #SHORT_WAIT_MICROS} µs are not
     * timed (they count as zero, see {@link #acquiredAtOnce()}): a timer record costs more than the borrow.
     *
     * @param nanos the wait
     */
    public void recordWait(long nanos) {
        if (nanos < SHORT_WAIT_NANOS) {
            return;
        }
        waitTimer.record(nanos, TimeUnit.NANOSECONDS);
        waits.record(nanos);
        waitsTimed.increment();
    }

    /**
     * @param nanos HikariCP's borrow time for a caller the gate admitted at once
     * @return whether it is long enough to be timed (HikariCP made the caller wait, for example while a connection
     *         opened); the caller then passes it to {@link #recordWait}
     */
    public static boolean worthTiming(long nanos) {
        return nanos >= SHORT_WAIT_NANOS;
    }

    /** A wait {@link #recordWait} timed ended in a timeout inside HikariCP: not an acquisition's wait after all. */
    public void timedWaitFailed() {
        waitsTimed.decrement();
    }

    /** @param millis how long a connection was held */
    public void recordUse(long millis) {
        useTimer.record(millis, TimeUnit.MILLISECONDS);
        if (millis == 0) {
            uses.recordZero();
        } else {
            uses.record(TimeUnit.MILLISECONDS.toNanos(millis));
        }
        listener.released(pool, millis);
    }

    /** @param millis how long a physical connection took to open */
    public void recordCreate(long millis) {
        createTimer.record(millis, TimeUnit.MILLISECONDS);
    }

    /** @param nanos one transaction's time */
    public void recordTransaction(long nanos) {
        transactionTimer.record(nanos, TimeUnit.NANOSECONDS);
        transactions.record(nanos);
    }

    /**
     * @param from the old size
     * @param to the new size
     */
    public void resized(int from, int to) {
        (to > from ? grown : shrunk).increment();
    }

    /** @param reason why a request was turned away */
    public void reject(RejectReason reason) {
        rejectionCounts[reason.ordinal()].increment();
        listener.rejected(pool, reason);
    }

    /**
     * @param held how long it had been held
     * @param borrowerStack where it was borrowed
     * @param reclaimed whether it was taken back
     */
    public void leaked(Duration held, Throwable borrowerStack, boolean reclaimed) {
        (reclaimed ? reclaimCount : leakCount).increment();
        listener.leaked(pool, held, borrowerStack, reclaimed);
    }

    /** @return connections handed out since the start */
    public long acquired() {
        return acquired.sum();
    }

    /** @return rejections for want of capacity since the start: queue full, timeout, overloaded */
    public long capacityRejections() {
        return rejectionCounts[RejectReason.QUEUE_FULL.ordinal()].sum()
                + rejectionCounts[RejectReason.TIMEOUT.ordinal()].sum()
                + rejectionCounts[RejectReason.OVERLOADED.ordinal()].sum();
    }

    /** @return timeouts since the start */
    public long timeouts() {
        return rejectionCounts[RejectReason.TIMEOUT.ordinal()].sum();
    }

    /** @param reason a reason; @return rejections for it since the start */
    public long rejections(RejectReason reason) {
        return rejectionCounts[reason.ordinal()].sum();
    }

    /** @return leaks reported since the start */
    public long leaksDetected() {
        return leakCount.sum();
    }

    /** @return leaks reclaimed since the start */
    public long leaksReclaimed() {
        return reclaimCount.sum();
    }

    /** @return wait, use and transaction distributions since the start, in that order */
    public PoolStats.Latency[] latencies() {
        statsLock.lock();
        try {
            long zeroWaits = Math.max(0L, acquired.sum() - waitsTimed.sum());
            return new PoolStats.Latency[] {waits.latency(zeroWaits), uses.latency(uses.zeros.sum()),
                transactions.latency(0L)};
        } finally {
            statsLock.unlock();
        }
    }

    /**
     * One distribution since the pool started: an HdrHistogram {@link Recorder} (wait-free writers) drained into a
     * running total when read. Values too short to matter (a caller admitted at once; a hold under HikariCP's 1 ms
     * resolution) are counted, not recorded — a record costs more than the borrow itself — and added back as zeros
     * when read, so percentiles still cover every borrow.
     */
    private static final class Distribution {
        private final Recorder recorder = new Recorder(HIGHEST_NANOS, 2);
        private final LongAdder zeros = new LongAdder();
        private final Histogram total = new Histogram(HIGHEST_NANOS, 2);
        private Histogram interval;
        private long zerosAdded;

        void record(long nanos) {
            recorder.recordValue(Math.min(nanos, HIGHEST_NANOS));
        }

        void recordZero() {
            zeros.increment();
        }

        /**
         * Under the owner's {@code statsLock}.
         *
         * @param z zero values counted since the start (they only grow)
         */
        PoolStats.Latency latency(long z) {
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            if (z > zerosAdded) {
                total.recordValueWithCount(0, z - zerosAdded);
                zerosAdded = z;
            }
            long n = total.getTotalCount();
            if (n == 0) {
                return PoolStats.Latency.EMPTY;
            }
            return new PoolStats.Latency(n, total.getValueAtPercentile(50) / 1e3,
                    total.getValueAtPercentile(99) / 1e3, total.getValueAtPercentile(99.9) / 1e3,
                    total.getMaxValue() / 1e3, total.getMean() / 1e3);
        }
    }

    /** Removes this pool's meters from the registry. */
    public void close() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
