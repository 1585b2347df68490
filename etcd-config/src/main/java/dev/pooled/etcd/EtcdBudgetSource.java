package dev.pooled.etcd;

import dev.pooled.BudgetSource;
import dev.pooled.ConnectionBudget;
import dev.pooled.etcd.internal.EtcdBudget;
import dev.pooled.etcd.internal.EtcdClients;
import dev.pooled.etcd.internal.EtcdSession;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Global connection budgets on etcd: every pool, in every instance of every service, that names the same budget
 * shares its record's {@code max_connections − reserve}. Pass it to {@code ConnectionPool.start(…, budgets)} (or
 * {@code PooledDataSource.builder().budgets(…)}); the pools' {@code budget_max} is not used, the record in etcd
 * ({@code <ns>/pooled/v1/budgets/<name>/record}) is the budget's size. See {@code docs/etcd.md}, "Global budget".
 *
 * <p>One lease per source carries this process's memberships and, when elected, its allocator key. The pools'
 * control threads never wait for etcd: grants come from the last quota etcd delivered, or the floor before there is
 * one and whenever the lease cannot be renewed in time. Thread-safe.
 *
 * @since 0.1.0
 */
public final class EtcdBudgetSource implements BudgetSource, AutoCloseable {
    /** The floor used before the budget record is read; must not exceed any record's {@code floor_per_instance}. */
    public static final int DEFAULT_FALLBACK_FLOOR = 1;

    private final EtcdClients.Handle etcd;
    private final EtcdSettings settings;
    private final String instance;
    private final int fallbackFloor;
    private final ScheduledExecutorService leaseThread;
    private final ScheduledExecutorService worker;
    private final EtcdSession session;
    private final Map<String, EtcdBudget> budgets = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private EtcdBudgetSource(EtcdSettings settings, InstanceId instance, int fallbackFloor) {
        this.settings = settings;
        this.instance = instance.value();
        this.fallbackFloor = fallbackFloor;
        this.etcd = EtcdClients.acquire(settings);
        this.leaseThread = Executors.newSingleThreadScheduledExecutor(daemon("pooled-budget-lease"));
        this.worker = Executors.newSingleThreadScheduledExecutor(daemon("pooled-budget-etcd"));
        this.session = new EtcdSession(etcd.client(), settings.leaseTtl(), settings.timeout(), leaseThread,
                "budgets of " + instance.value());
        session.onLease(id -> worker.execute(this::tick));
        session.start();
        worker.scheduleWithFixedDelay(this::tick, 0, 100, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts a source: returns at once, whether or not etcd answers (pools then start at the floor).
     *
     * @param settings how to reach etcd; its lease TTL is the members' lease
     * @param instance this instance's id
     * @return the source; close it after the pools that use it
     */
    public static EtcdBudgetSource start(EtcdSettings settings, InstanceId instance) {
        return start(settings, instance, DEFAULT_FALLBACK_FLOOR);
    }

    /**
     * @param fallbackFloor the grant before the budget record could be read, at least 0
     * @return the source
     * @see #start(EtcdSettings, InstanceId)
     */
    public static EtcdBudgetSource start(EtcdSettings settings, InstanceId instance, int fallbackFloor) {
        if (fallbackFloor < 0) {
            throw new IllegalArgumentException("fallback floor " + fallbackFloor + ": must be at least 0");
        }
        return new EtcdBudgetSource(settings, instance, fallbackFloor);
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * @param name the budget's name
     * @param max ignored: the record in etcd gives the budget's size
     * @return the budget of that name
     */
    @Override
    public ConnectionBudget budget(String name, int max) {
        if (closed) {
            throw new IllegalStateException("budget source of " + instance + " is closed");
        }
        return budgets.computeIfAbsent(name, n -> new EtcdBudget(n, settings.keys().budgetPrefix(n), etcd.client(),
                session, worker, instance, fallbackFloor, settings.timeout()));
    }

    /** @return the budgets this source has handed out, for status pages and metrics */
    public List<EtcdBudget> budgets() {
        return List.copyOf(budgets.values());
    }

    /** @return this instance's id */
    public String instance() {
        return instance;
    }

    /** @return the lease state of this source: {@code live}, {@code suspended} or {@code none} */
    public String leaseState() {
        return session.state().name().toLowerCase(java.util.Locale.ROOT);
    }

    private void tick() {
        for (EtcdBudget b : budgets.values()) {
            b.tick();
        }
    }

    /** Leaves every budget, revokes the lease and stops the threads; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            worker.submit(() -> {
                for (EtcdBudget b : budgets.values()) {
                    b.closeAll();
                }
            }).get(settings.timeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Best effort: the lease's expiry frees the rest.
        }
        worker.shutdownNow();
        session.close();
        leaseThread.shutdownNow();
        etcd.close();
    }

    @Override
    public String toString() {
        return "EtcdBudgetSource[" + instance + ", " + settings.endpointsText() + ", " + budgets.keySet() + "]";
    }
}
