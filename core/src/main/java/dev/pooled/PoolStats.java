package dev.pooled;

import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of one pool's figures: the same ones its meters and MBean show, as a plain immutable object for admin
 * pages and tests. Counters and latency distributions run from the pool's start. Thread-safe.
 *
 * @since 0.1.0
 */
public final class PoolStats {

    /**
     * A latency distribution, in microseconds.
     *
     * @param count values recorded
     * @param p50Micros median
     * @param p99Micros 99th percentile
     * @param p999Micros 99.9th percentile
     * @param maxMicros largest
     * @param meanMicros mean
     */
    public record Latency(long count, double p50Micros, double p99Micros, double p999Micros, double maxMicros,
            double meanMicros) {
        /** No values recorded. */
        public static final Latency EMPTY = new Latency(0, 0, 0, 0, 0, 0);
    }

    private final String pool;
    private final PoolConfig config;
    private final long configVersion;
    private final String service;
    private final String dbRole;
    private final int limit;
    private final int maxConnections;
    private final int active;
    private final int idle;
    private final int total;
    private final int queueDepth;
    private final int maxQueue;
    private final boolean paused;
    private final long acquired;
    private final long timeouts;
    private final Map<RejectReason, Long> rejections;
    private final long leaksDetected;
    private final long leaksReclaimed;
    private final Latency waitTime;
    private final Latency useTime;
    private final Latency transactionTime;
    private final int targetSize;
    private final double arrivalRate;
    private final double holdTimeMicros;
    private final double offeredLoad;
    private final double recentHoldTimeMicros;
    private final double baselineHoldTimeMicros;
    private final String sizingReason;
    private final String breakerState;
    private final String budget;
    private final int budgetShare;

    /**
     * For the pool's own use; callers get instances from {@code stats()}.
     *
     * @param b the figures
     */
    PoolStats(Builder b) {
        this.pool = b.pool;
        this.config = b.config;
        this.configVersion = b.configVersion;
        this.service = b.service;
        this.dbRole = b.dbRole;
        this.limit = b.limit;
        this.maxConnections = b.maxConnections;
        this.active = b.active;
        this.idle = b.idle;
        this.total = b.total;
        this.queueDepth = b.queueDepth;
        this.maxQueue = b.maxQueue;
        this.paused = b.paused;
        this.acquired = b.acquired;
        this.timeouts = b.timeouts;
        this.rejections = Map.copyOf(b.rejections);
        this.leaksDetected = b.leaksDetected;
        this.leaksReclaimed = b.leaksReclaimed;
        this.waitTime = b.waitTime;
        this.useTime = b.useTime;
        this.transactionTime = b.transactionTime;
        this.targetSize = b.targetSize;
        this.arrivalRate = b.arrivalRate;
        this.holdTimeMicros = b.holdTimeMicros;
        this.offeredLoad = b.offeredLoad;
        this.recentHoldTimeMicros = b.recentHoldTimeMicros;
        this.baselineHoldTimeMicros = b.baselineHoldTimeMicros;
        this.sizingReason = b.sizingReason;
        this.breakerState = b.breakerState;
        this.budget = b.budget;
        this.budgetShare = b.budgetShare;
    }

    /** @return the pool name, unique in the process */
    public String pool() {
        return pool;
    }

    /** @return the service (tenant) */
    public String service() {
        return service;
    }

    /** @return the database role (tenant) */
    public String dbRole() {
        return dbRole;
    }

    /** @return the current limit on connections held at once */
    public int limit() {
        return limit;
    }

    /** @return {@code max_connections} */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return connections held by callers now */
    public int active() {
        return active;
    }

    /** @return idle physical connections */
    public int idle() {
        return idle;
    }

    /** @return physical connections open, idle or in use */
    public int total() {
        return total;
    }

    /** @return callers waiting now */
    public int queueDepth() {
        return queueDepth;
    }

    /** @return {@code max_queue} */
    public int maxQueue() {
        return maxQueue;
    }

    /** @return whether the pool is paused */
    public boolean paused() {
        return paused;
    }

    /** @return {@link #active()} / {@link #limit()}, 0 to 1 (can exceed 1 briefly after the limit was lowered) */
    public double utilization() {
        return limit == 0 ? 0 : (double) active / limit;
    }

    /** @return connections handed out since the start */
    public long acquired() {
        return acquired;
    }

    /** @return requests that timed out since the start */
    public long timeouts() {
        return timeouts;
    }

    /** @param reason a reason; @return requests turned away for it since the start */
    public long rejections(RejectReason reason) {
        return rejections.getOrDefault(reason, 0L);
    }

    /** @return requests turned away for any reason since the start */
    public long rejected() {
        long sum = 0;
        for (long n : rejections.values()) {
            sum += n;
        }
        return sum;
    }

    /** @return connections reported as leaked since the start */
    public long leaksDetected() {
        return leaksDetected;
    }

    /** @return connections taken back since the start */
    public long leaksReclaimed() {
        return leaksReclaimed;
    }

    /** @return time from {@code getConnection()} to a connection */
    public Latency waitTime() {
        return waitTime;
    }

    /** @return time connections were held (millisecond resolution) */
    public Latency useTime() {
        return useTime;
    }

    /** @return transaction time; empty unless {@code track_transactions=true} */
    public Latency transactionTime() {
        return transactionTime;
    }

    /**
     * @return the physical connections the pool keeps now: with {@code sizing=littles_law} the sizer's target
     *         (after the budget), with {@code fixed} {@code max_connections} (or the budget share)
     */
    public int targetSize() {
        return targetSize;
    }

    /** @return λ: arrivals of borrows per second over the last 5 s (acquisitions plus capacity rejections) */
    public double arrivalRate() {
        return arrivalRate;
    }

    /** @return W: mean time a connection was held over the last 5 s, in microseconds; NaN before any acquisition */
    public double holdTimeMicros() {
        return holdTimeMicros;
    }

    /** @return λ·W over the last 5 s: connections the offered load wants, before headroom */
    public double offeredLoad() {
        return offeredLoad;
    }

    /** @return the throttle's recent mean hold time (last 0.5–2 s), microseconds; NaN when idle or throttling is off */
    public double recentHoldTimeMicros() {
        return recentHoldTimeMicros;
    }

    /** @return the throttle's long-run baseline hold time, microseconds; NaN before it is known or when off */
    public double baselineHoldTimeMicros() {
        return baselineHoldTimeMicros;
    }

    /** @return why the size last changed, with the figures that decided it; never {@code null} */
    public String sizingReason() {
        return sizingReason;
    }

    /** @return the circuit breaker's state: {@code closed}, {@code open}, {@code half_open} or {@code disabled} */
    public String breakerState() {
        return breakerState;
    }

    /** @return the shared budget's name, or {@code null} */
    public String budget() {
        return budget;
    }

    /** @return connections the budget grants this pool; -1 without a budget */
    public int budgetShare() {
        return budgetShare;
    }

    /** @return the settings in force when this snapshot was taken (the last one {@code reconfigure} applied) */
    public PoolConfig config() {
        return config;
    }

    /**
     * @return the version given with the config in force ({@code ConnectionPool#reconfigure(PoolConfig, long)}, for
     *         example an etcd mod revision); 0 for the config the pool started with
     */
    public long configVersion() {
        return configVersion;
    }

    @Override
    public String toString() {
        return "PoolStats[" + pool + ": limit=" + limit + ", target=" + targetSize + ", active=" + active + ", idle=" + idle + ", queue="
                + queueDepth + "/" + maxQueue + ", acquired=" + acquired + ", rejected=" + rejected() + ", timeouts="
                + timeouts + ", leaks=" + leaksDetected + "/" + leaksReclaimed + ", waitP99us="
                + Math.round(waitTime.p99Micros()) + ", λ=" + Math.round(arrivalRate) + "/s, Wus="
                + Math.round(holdTimeMicros) + ", breaker=" + breakerState + "]";
    }

    static final class Builder {
        String pool;
        PoolConfig config;
        long configVersion;
        String service;
        String dbRole;
        int limit;
        int maxConnections;
        int active;
        int idle;
        int total;
        int queueDepth;
        int maxQueue;
        boolean paused;
        long acquired;
        long timeouts;
        final Map<RejectReason, Long> rejections = new EnumMap<>(RejectReason.class);
        long leaksDetected;
        long leaksReclaimed;
        Latency waitTime = Latency.EMPTY;
        Latency useTime = Latency.EMPTY;
        Latency transactionTime = Latency.EMPTY;
        int targetSize;
        double arrivalRate;
        double holdTimeMicros = Double.NaN;
        double offeredLoad;
        double recentHoldTimeMicros = Double.NaN;
        double baselineHoldTimeMicros = Double.NaN;
        String sizingReason = "";
        String breakerState = "disabled";
        String budget;
        int budgetShare = -1;
    }
}
