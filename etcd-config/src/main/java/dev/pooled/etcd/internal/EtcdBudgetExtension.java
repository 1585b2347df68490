package dev.pooled.etcd.internal;

import dev.pooled.BudgetSource;
import dev.pooled.ConnectionPool;
import dev.pooled.PoolConfig;
import dev.pooled.PoolExtension;
import dev.pooled.etcd.EtcdBudgetSource;
import dev.pooled.etcd.EtcdSettings;
import dev.pooled.etcd.InstanceId;
import dev.pooled.metrics.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToDoubleFunction;

/**
 * Plugs global budgets into pools started with {@code pooled.budget=<name>} and {@code pooled.etcd.endpoints}:
 * found by {@link java.util.ServiceLoader}. Pools of the process with the same etcd settings and instance id share
 * one {@link EtcdBudgetSource} (one lease), released when the last of them closes. Registers the budget's meters
 * in the pool's registry. Owns no settings of its own: it reads the etcd module's ({@link EtcdSettings#KEYS},
 * {@code instance_id}) and core's {@code budget}.
 */
public final class EtcdBudgetExtension implements PoolExtension {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Map<List<Object>, Shared> SOURCES = new HashMap<>();

    /** For {@link java.util.ServiceLoader}. */
    public EtcdBudgetExtension() {
    }

    private static final class Shared {
        final List<Object> key;
        final EtcdBudgetSource source;
        int users;

        Shared(List<Object> key, EtcdBudgetSource source) {
            this.key = key;
            this.source = source;
        }

        void release() {
            LOCK.lock();
            try {
                if (--users == 0) {
                    SOURCES.remove(key);
                    source.close();
                }
            } finally {
                LOCK.unlock();
            }
        }
    }

    @Override
    public boolean accepts(String key) {
        return EtcdSettings.KEYS.contains(key) || key.equals(InstanceId.KEY);
    }

    @Override
    public Attachment attach(Context context) {
        Map<String, String> s = context.settings();
        PoolConfig requested = context.requested();
        if (requested.budget() == null || !s.containsKey(EtcdSettings.ENDPOINTS)) {
            return Attachment.NONE;
        }
        EtcdSettings settings = EtcdSettings.parse(s);
        InstanceId id = InstanceId.from(s);
        List<Object> key = List.of(settings, id);
        Shared shared;
        LOCK.lock();
        try {
            shared = SOURCES.computeIfAbsent(key, k -> new Shared(k, EtcdBudgetSource.start(settings, id)));
            shared.users++;
        } finally {
            LOCK.unlock();
        }
        Shared mine = shared;
        MeterRegistry registry = context.instrumentation().meterRegistry();
        List<Meter> meters = new ArrayList<>();
        return new Attachment() {
            private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

            @Override
            public BudgetSource budgets(BudgetSource ignored) {
                return mine.source;
            }

            @Override
            public void started(ConnectionPool pool) {
                EtcdBudget b = (EtcdBudget) mine.source.budget(requested.budget(), 0);
                String poolName = requested.service() + "/" + requested.dbRole();
                EtcdBudget.Claim claim = null;
                for (EtcdBudget.Claim c : b.claims()) {
                    if (c.pool().equals(poolName)) {
                        claim = c;
                    }
                }
                if (claim == null) {
                    return;
                }
                // The driver does not tell extensions that a pool closed; the pool closes its claim last.
                claim.onClose(this::close);
                if (registry == null) {
                    return;
                }
                Tags tags = Tags.of(MetricNames.TAG_BUDGET, b.name(), MetricNames.TAG_POOL, pool.name(),
                        MetricNames.TAG_SERVICE, requested.service(), MetricNames.TAG_DB_ROLE, requested.dbRole());
                EtcdBudget.Claim c = claim;
                gauge(MetricNames.BUDGET_DEMAND, tags, c, EtcdBudget.Claim::demand);
                gauge(MetricNames.BUDGET_IN_USE, tags, c, EtcdBudget.Claim::held);
                gauge(MetricNames.BUDGET_LEASE, tags, c, x -> switch (x.leaseState()) {
                    case "live" -> 2;
                    case "suspended" -> 1;
                    default -> 0;
                });
                Tags budgetTags = Tags.of(MetricNames.TAG_BUDGET, b.name(), MetricNames.TAG_POOL, pool.name());
                gauge(MetricNames.BUDGET_ALLOCATOR, budgetTags, b, x -> x.isAllocator() ? 1 : 0);
                gauge(MetricNames.BUDGET_GRANTED, budgetTags, b,
                        x -> x.lastPlan() == null ? Double.NaN : x.lastPlan().granted());
                gauge(MetricNames.BUDGET_AVAILABLE, budgetTags, b,
                        x -> x.lastPlan() == null ? Double.NaN : x.lastPlan().capacity());
            }

            private <T> void gauge(String name, Tags tags, T obj, ToDoubleFunction<T> f) {
                meters.add(Gauge.builder(name, obj, f).tags(tags).strongReference(true).register(registry));
            }

            @Override
            public void close() {
                if (!closed.compareAndSet(false, true)) {
                    return;
                }
                for (Meter m : meters) {
                    registry.remove(m);
                }
                mine.release();
            }

            @Override
            public String toString() {
                return "EtcdBudget[" + requested.budget() + " via " + mine.source + "]";
            }
        };
    }

    @Override
    public String toString() {
        return "EtcdBudgetExtension";
    }
}
