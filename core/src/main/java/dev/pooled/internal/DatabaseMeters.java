package dev.pooled.internal;

import dev.pooled.DatabaseLoad;
import dev.pooled.metrics.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The {@code pooled.db.*} gauges of one pool: what its database's sampler last said (see {@link DatabaseSampler}).
 * Registered apart from {@link PoolMetrics} so that the two evolve independently; same tags (service, db_role, pool).
 * Gauges read the cached sample and never do I/O. A figure the server did not give reads NaN.
 */
public final class DatabaseMeters implements AutoCloseable {
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    /**
     * @param registry where to register
     * @param service the service tag
     * @param dbRole the db_role tag
     * @param pool the pool tag
     * @param loop the pool's control loop, which knows its sampler
     */
    public DatabaseMeters(MeterRegistry registry, String service, String dbRole, String pool, ControlLoop loop) {
        this.registry = registry;
        Tags tags = Tags.of(MetricNames.TAG_SERVICE, service, MetricNames.TAG_DB_ROLE, dbRole, MetricNames.TAG_POOL,
                pool);
        gauge(MetricNames.DB_CONNECTIONS, "Client sessions on the database server", tags, loop,
                l -> count(l.databaseLoad().connections()));
        gauge(MetricNames.DB_MAX_CONNECTIONS, "Sessions ordinary users may open on the server", tags, loop,
                l -> count(l.databaseLoad().maxConnections()));
        gauge(MetricNames.DB_ACTIVE, "Sessions running a statement on the server", tags, loop,
                l -> count(l.databaseLoad().active()));
        gauge(MetricNames.DB_IDLE_IN_TRANSACTION, "Sessions idle inside a transaction", tags, loop,
                l -> count(l.databaseLoad().idleInTransaction()));
        gauge(MetricNames.DB_WAITING_ON_LOCKS, "Sessions waiting for a lock", tags, loop,
                l -> count(l.databaseLoad().waitingOnLocks()));
        gauge(MetricNames.DB_LATENCY, "The server's mean statement time (Little's law over its samples)", tags, loop,
                l -> l.databaseLoad().latencyMicros() / 1e6);
        gauge(MetricNames.DB_SAMPLE_AGE, "Age of the database's last sample", tags, loop, l -> {
            DatabaseLoad d = l.databaseLoad();
            return d.known() ? (Instant.now().toEpochMilli() - d.sampledAt().toEpochMilli()) / 1e3 : Double.NaN;
        });
    }

    private static double count(int v) {
        return v < 0 ? Double.NaN : v;
    }

    private void gauge(String name, String description, Tags tags, ControlLoop loop, ToDoubleFunction<ControlLoop> f) {
        meters.add(Gauge.builder(name, loop, f).description(description).tags(tags).strongReference(true)
                .register(registry));
    }

    @Override
    public void close() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
