package dev.pooled.internal;

import dev.pooled.metrics.MetricNames;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases: borrowed connections wrapped so that the pool knows who holds what, since when, and whether a statement
 * is running on it. Used only when {@code leak_threshold_ms}, {@code leak_reclaim_ms} or
 * {@code track_transactions} is set; otherwise callers get HikariCP's proxy and none of this runs.
 *
 * <p>The lease and the statements, result sets and metadata it hands out are JDK dynamic proxies: one handler
 * covers the whole JDBC surface, so every object obtained through the lease leads back to the lease (never to the
 * inner connection, which could be closed behind the lease's back). A reflective call costs on the order of 100 ns,
 * small next to a database round trip; the benchmarks record it.
 *
 * <p>A background thread checks the leases: one held past {@code leak_threshold_ms} is reported once (WARN log with
 * the borrower's stack, a count, the listener); one held past {@code leak_reclaim_ms} is taken back: its physical
 * connection is aborted (the server rolls back its transaction), HikariCP evicts it, the capacity returns to the
 * pool, and the borrower's next call fails with SQLState {@code 08003}. A connection running a statement is reclaimed
 * only when that statement has itself run longer than {@code leak_reclaim_ms}.
 *
 * <p>Thread-safe.
 */
public final class LeaseGuard extends Leases {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseGuard.class);

    private final String pool;
    private final PoolMetrics metrics;
    private final long thresholdNanos;
    private final long reclaimNanos;
    private final boolean trackTransactions;
    private final Tracer tracer;
    private final String service;
    private final String dbRole;
    private final Set<Lease> leases = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService checker;

    /**
     * @param pool the pool name
     * @param service the service, for spans
     * @param dbRole the role, for spans
     * @param threshold report after this long; zero = never
     * @param reclaim take back after this long; zero = never
     * @param trackTransactions time (and trace) transactions
     * @param tracer for transaction spans, or {@code null}
     * @param metrics where events go
     */
    public LeaseGuard(String pool, String service, String dbRole, Duration threshold, Duration reclaim,
            boolean trackTransactions, Tracer tracer, PoolMetrics metrics) {
        this.pool = pool;
        this.service = service;
        this.dbRole = dbRole;
        this.metrics = metrics;
        this.thresholdNanos = threshold.toNanos();
        this.reclaimNanos = reclaim.toNanos();
        this.trackTransactions = trackTransactions;
        this.tracer = tracer;
        long shortest = Math.min(thresholdNanos == 0 ? Long.MAX_VALUE : thresholdNanos,
                reclaimNanos == 0 ? Long.MAX_VALUE : reclaimNanos);
        if (shortest == Long.MAX_VALUE) {
            checker = null;
        } else {
            long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(TimeUnit.SECONDS.toNanos(1),
                    shortest / 10));
            checker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pooled-" + pool.replace('/', '.') + "-leak-guard");
                t.setDaemon(true);
                return t;
            });
            checker.scheduleWithFixedDelay(this::check, period, period, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public Connection wrap(Connection borrowed) {
        Lease lease = new Lease(borrowed, thresholdNanos > 0 || reclaimNanos > 0
                ? new Throwable("connection borrowed here by thread " + Thread.currentThread().getName()) : null);
        lease.proxy = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, lease);
        leases.add(lease);
        return lease.proxy;
    }

    /** @return leases open now */
    public int open() {
        return leases.size();
    }

    /** Runs one check now; the background thread calls it periodically. */
    public void check() {
        long now = System.nanoTime();
        for (Lease lease : leases) {
            try {
                if (released(lease.target)) {
                    // Closed through the inner connection: its permit is back, it is no longer ours to judge.
                    leases.remove(lease);
                    continue;
                }
                long held = now - lease.borrowedNanos;
                if (reclaimNanos > 0 && held > reclaimNanos) {
                    long since = lease.executingSince;
                    if (since == 0 || now - since > reclaimNanos) {
                        reclaim(lease, held);
                        continue;
                    }
                }
                if (thresholdNanos > 0 && held > thresholdNanos && !lease.reported) {
                    lease.reported = true;
                    Duration d = Duration.ofNanos(held);
                    LOG.warn("pool {}: a connection has been held for {} ms (leak_threshold_ms={}); possible leak,"
                            + " borrowed at:", pool, d.toMillis(), TimeUnit.NANOSECONDS.toMillis(thresholdNanos),
                            lease.borrowerStack);
                    metrics.leaked(d, lease.borrowerStack, false);
                }
            } catch (RuntimeException | SQLException e) {
                LOG.warn("pool {}: leak check failed for one connection", pool, e);
            }
        }
    }

    /**
     * Whether a borrow gave its permit back. HikariCP's proxy says closed as soon as HikariCP retires the physical
     * connection after a class-08 error, while the caller still holds the borrow and its gate permit: such a lease
     * stays tracked, so that a leak of it is still reported and reclaimed.
     */
    private static boolean released(Connection target) throws SQLException {
        return target instanceof PooledConnection ? ((PooledConnection) target).released() : target.isClosed();
    }

    private void reclaim(Lease lease, long heldNanos) {
        if (!leases.remove(lease)) {
            return;
        }
        lease.reclaimed = true;
        // The server rolls the transaction back with the aborted connection: its span ends here, as a rollback.
        lease.endTransaction("rollback");
        Connection target = lease.target;
        try {
            target.abort(Runnable::run); // HikariCP's proxy passes abort to the physical connection
        } catch (SQLException e) {
            LOG.debug("pool {}: abort during reclaim failed", pool, e);
        }
        // A call on the aborted connection fails with an 08 SQLState, which makes HikariCP evict it rather than
        // recycle it when it is closed below.
        try (Statement probe = target.createStatement()) {
            LOG.debug("pool {}: the aborted connection still answered", pool);
        } catch (SQLException expected) {
            // evicted
        }
        try {
            target.close();
        } catch (SQLException e) {
            LOG.debug("pool {}: close after reclaim failed", pool, e);
        }
        Duration held = Duration.ofNanos(heldNanos);
        LOG.warn("pool {}: reclaimed a connection held for {} ms (leak_reclaim_ms={}); it was aborted and its"
                + " transaction rolled back by the server; borrowed at:", pool, held.toMillis(),
                TimeUnit.NANOSECONDS.toMillis(reclaimNanos), lease.borrowerStack);
        metrics.leaked(held, lease.borrowerStack, true);
    }

    @Override
    public void close() {
        if (checker != null) {
            checker.shutdownNow();
        }
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static boolean isExecute(String name) {
        return name.startsWith("execute");
    }

    /** One borrow. Its handler serves the connection proxy. */
    private final class Lease implements InvocationHandler {
        final Connection target;
        final long borrowedNanos = System.nanoTime();
        final Throwable borrowerStack;
        volatile long executingSince;
        volatile boolean reclaimed;
        volatile boolean closed;
        boolean reported;
        boolean autoCommit = true;
        long transactionStart;
        Span transactionSpan;
        Connection proxy;

        Lease(Connection target, Throwable borrowerStack) {
            this.target = target;
            this.borrowerStack = borrowerStack;
        }

        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            switch (name) {
                case "close":
                    close();
                    return null;
                case "isClosed":
                    return closed || reclaimed || target.isClosed();
                case "equals":
                    return self == args[0];
                case "hashCode":
                    return System.identityHashCode(self);
                case "toString":
                    return "PooledConnection[" + pool + ", held "
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - borrowedNanos) + " ms]";
                case "unwrap":
                    return ((Class<?>) args[0]).isInstance(self) ? self : target.unwrap((Class<?>) args[0]);
                case "isWrapperFor":
                    return ((Class<?>) args[0]).isInstance(self) || target.isWrapperFor((Class<?>) args[0]);
                default:
                    break;
            }
            checkUsable();
            switch (name) {
                case "setAutoCommit": {
                    boolean on = (Boolean) args[0];
                    Object r = LeaseGuard.invoke(target, method, args);
                    if (on && !autoCommit) {
                        endTransaction("commit"); // JDBC: turning auto-commit on commits
                    }
                    autoCommit = on;
                    return r;
                }
                case "commit":
                    try {
                        return LeaseGuard.invoke(target, method, args);
                    } finally {
                        endTransaction("commit");
                    }
                case "rollback":
                    try {
                        return LeaseGuard.invoke(target, method, args);
                    } finally {
                        if (args == null || args.length == 0) {
                            endTransaction("rollback");
                        }
                    }
                default:
                    return wrapResult(LeaseGuard.invoke(target, method, args), method, self);
            }
        }

        void checkUsable() throws SQLException {
            if (reclaimed) {
                throw new SQLNonTransientConnectionException("pool " + pool + " reclaimed this connection after it"
                        + " was held longer than leak_reclaim_ms=" + TimeUnit.NANOSECONDS.toMillis(reclaimNanos)
                        + "; its transaction was rolled back; get a new connection", "08003");
            }
        }

        void close() throws SQLException {
            if (closed) {
                return;
            }
            closed = true;
            if (reclaimed) {
                return; // the pool already took it back
            }
            leases.remove(this);
            if (transactionStart != 0) {
                endTransaction("rollback"); // HikariCP rolls back an open transaction on return
            }
            target.close();
        }

        void beforeExecute() {
            executingSince = System.nanoTime();
            if (trackTransactions && !autoCommit && transactionStart == 0) {
                transactionStart = executingSince;
                if (tracer != null) {
                    transactionSpan = tracer.spanBuilder(MetricNames.SPAN_TRANSACTION)
                            .setAttribute(MetricNames.ATTR_POOL_NAME, pool)
                            .setAttribute(MetricNames.ATTR_SERVICE, service)
                            .setAttribute(MetricNames.ATTR_DB_ROLE, dbRole).startSpan();
                }
            }
        }

        void afterExecute() {
            executingSince = 0;
        }

        /** Synchronized: the leak guard's thread ends the transaction of a reclaimed lease. */
        synchronized void endTransaction(String how) {
            if (transactionStart == 0) {
                return;
            }
            metrics.recordTransaction(System.nanoTime() - transactionStart);
            transactionStart = 0;
            if (transactionSpan != null) {
                transactionSpan.setAttribute(MetricNames.ATTR_TX_END, how);
                if (how.equals("rollback")) {
                    transactionSpan.setStatus(StatusCode.UNSET);
                }
                transactionSpan.end();
                transactionSpan = null;
            }
        }

        Object wrapResult(Object result, Method method, Object parent) {
            if (result == null) {
                return null;
            }
            Class<?> type = method.getReturnType();
            if (type == Statement.class || type == PreparedStatement.class || type == CallableStatement.class
                    || type == ResultSet.class || type == DatabaseMetaData.class) {
                return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                        new Child(this, result, parent));
            }
            return result;
        }
    }

    /** A statement, result set or metadata object handed out through a lease. */
    private static final class Child implements InvocationHandler {
        private final Lease lease;
        private final Object target;
        private final Object parent;

        Child(Lease lease, Object target, Object parent) {
            this.lease = lease;
            this.target = target;
            this.parent = parent;
        }

        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            switch (name) {
                case "equals":
                    return self == args[0];
                case "hashCode":
                    return System.identityHashCode(self);
                case "toString":
                    return target.toString();
                case "getConnection":
                    lease.checkUsable();
                    return lease.proxy;
                case "getStatement":
                    // A result set leads back to the statement that made it (or null for metadata results).
                    lease.checkUsable();
                    return parent instanceof Statement ? parent : null;
                case "unwrap":
                    return ((Class<?>) args[0]).isInstance(self) ? self
                            : ((java.sql.Wrapper) target).unwrap((Class<?>) args[0]);
                case "isWrapperFor":
                    return ((Class<?>) args[0]).isInstance(self)
                            || ((java.sql.Wrapper) target).isWrapperFor((Class<?>) args[0]);
                case "close":
                case "isClosed":
                    return LeaseGuard.invoke(target, method, args);
                default:
                    break;
            }
            lease.checkUsable();
            if (isExecute(name)) {
                lease.beforeExecute();
                try {
                    return lease.wrapResult(LeaseGuard.invoke(target, method, args), method, self);
                } finally {
                    lease.afterExecute();
                }
            }
            return lease.wrapResult(LeaseGuard.invoke(target, method, args), method, self);
        }
    }
}
