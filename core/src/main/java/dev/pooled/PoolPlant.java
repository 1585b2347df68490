package dev.pooled;

import dev.pooled.internal.ControlLoop;
import dev.pooled.internal.Gate;
import dev.pooled.internal.PoolMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the control loop reads and moves: the gate, HikariCP and the counters. Only the control thread calls it. */
final class PoolPlant implements ControlLoop.Plant {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);

    private final String name;
    private final Gate gate;
    private final HikariBackend backend;
    private final PoolMetrics metrics;

    PoolPlant(String name, Gate gate, HikariBackend backend, PoolMetrics metrics) {
        this.name = name;
        this.gate = gate;
        this.backend = backend;
        this.metrics = metrics;
    }

    @Override
    public int inUse() {
        return gate.inUse();
    }

    @Override
    public int queued() {
        return gate.queued();
    }

    @Override
    public long acquired() {
        return metrics.acquired();
    }

    @Override
    public long capacityRejections() {
        return metrics.capacityRejections();
    }

    @Override
    public int physical() {
        return backend.total();
    }

    @Override
    public int physicalMax() {
        return backend.appliedSize();
    }

    @Override
    public boolean paused() {
        return gate.isPaused();
    }

    @Override
    public void applySize(int size) {
        backend.applySize(size);
    }

    @Override
    public void applyLimit(int limit) {
        gate.setLimit(limit);
    }

    @Override
    public int evictIdle(int count) {
        return backend.evictIdle(count);
    }

    @Override
    public void epochEnded() {
        backend.trackIfConsumed();
    }

    @Override
    public void resized(int from, int to, String reason) {
        metrics.resized(from, to);
        LOG.debug("pool {}: {}", name, reason);
    }
}
