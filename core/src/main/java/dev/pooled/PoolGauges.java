package dev.pooled;

import dev.pooled.internal.PoolMetrics;

/** What the pool's gauges read: cached state only, never I/O. */
final class PoolGauges implements PoolMetrics.Source {
    private final ConnectionPool pool;

    PoolGauges(ConnectionPool pool) {
        this.pool = pool;
    }

    @Override
    public int limit() {
        return pool.gate().limit();
    }

    @Override
    public int active() {
        return pool.gate().inUse();
    }

    @Override
    public int idleConnections() {
        return pool.backend().idle();
    }

    @Override
    public int physicalConnections() {
        return pool.backend().total();
    }

    @Override
    public int queued() {
        return pool.gate().queued();
    }

    @Override
    public int maxQueue() {
        return pool.gate().maxQueue();
    }

    @Override
    public int maxConnections() {
        return pool.settings().config.maxConnections();
    }

    @Override
    public int minIdle() {
        return pool.settings().config.minIdle();
    }

    @Override
    public boolean paused() {
        return pool.paused();
    }

    @Override
    public int targetSize() {
        return pool.control().snapshot().size();
    }

    @Override
    public double arrivalRate() {
        return pool.control().snapshot().arrivalRate();
    }

    @Override
    public double holdTimeSeconds() {
        return pool.control().snapshot().holdTimeNanos() / 1e9;
    }

    @Override
    public double offeredLoad() {
        return pool.control().snapshot().offeredLoad();
    }

    @Override
    public int breakerState() {
        return pool.breaker().enabled() ? pool.breaker().state() : -1;
    }

    @Override
    public double budgetShare() {
        return pool.claim() == null ? Double.NaN : pool.control().snapshot().grant();
    }

    @Override
    public long configVersion() {
        return pool.settings().version;
    }
}
