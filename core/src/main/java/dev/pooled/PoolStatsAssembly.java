package dev.pooled;

import dev.pooled.internal.ControlLoop;
import dev.pooled.internal.PoolMetrics;

/** Builds a {@link PoolStats} snapshot from the pool's parts: the gate, HikariCP, the counters, the control loop. */
final class PoolStatsAssembly {
    private PoolStatsAssembly() {
    }

    static PoolStats of(ConnectionPool pool) {
        PoolSettings settings = pool.settings();
        PoolConfig config = settings.config;
        PoolMetrics metrics = pool.metrics();
        PoolStats.Builder b = new PoolStats.Builder();
        b.pool = pool.name();
        b.config = config;
        b.configVersion = settings.version;
        b.service = config.service();
        b.dbRole = config.dbRole();
        b.limit = pool.gate().limit();
        b.maxConnections = config.maxConnections();
        b.active = pool.gate().inUse();
        b.idle = pool.backend().idle();
        b.total = pool.backend().total();
        b.queueDepth = pool.gate().queued();
        b.maxQueue = pool.gate().maxQueue();
        b.paused = pool.paused();
        b.acquired = metrics.acquired();
        b.timeouts = metrics.timeouts();
        for (RejectReason r : RejectReason.values()) {
            b.rejections.put(r, metrics.rejections(r));
        }
        b.leaksDetected = metrics.leaksDetected();
        b.leaksReclaimed = metrics.leaksReclaimed();
        PoolStats.Latency[] l = metrics.latencies();
        b.waitTime = l[0];
        b.useTime = l[1];
        b.transactionTime = l[2];
        ControlLoop.Snapshot s = pool.control().snapshot();
        b.targetSize = s.size();
        b.arrivalRate = s.arrivalRate();
        b.holdTimeMicros = s.holdTimeNanos() / 1e3;
        b.offeredLoad = s.offeredLoad();
        b.recentHoldTimeMicros = s.recentHoldNanos() / 1e3;
        b.baselineHoldTimeMicros = s.baselineHoldNanos() / 1e3;
        b.sizingReason = s.reason();
        b.breakerState = pool.breaker().stateName();
        b.budget = config.budget();
        b.budgetShare = pool.claim() == null ? -1 : s.grant();
        return new PoolStats(b);
    }
}
