package dev.pooled.etcd.internal;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease kept alive by this process, with its own monotonic deadline (jetcd has no session: its keepalive measures
 * deadlines on the wall clock and reports expiry late, see research §5.5/5.6). Every TTL/3 the session renews the
 * lease with one keepalive; a lease that etcd no longer knows, or whose deadline (send time of the last successful
 * renewal + TTL − 1 s) passes without a renewal, is treated as lost, and a new one is granted as soon as etcd
 * answers. Listeners hear of each new lease so that they can put their keys again under it.
 *
 * <p>Runs on the executor it is given; never blocks a caller. Thread-safe.
 */
public final class EtcdSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdSession.class);
    private static final long SAFETY_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What the session knows of its lease. */
    public enum State {
        /** No lease yet, or the last one was lost and no new one was granted yet. */
        NONE,
        /** The last renewal succeeded within TTL/3 (plus a little). */
        LIVE,
        /** A renewal is overdue, but the monotonic deadline has not passed: the lease is probably still alive. */
        SUSPENDED
    }

    private final Client client;
    private final long ttlSeconds;
    private final Duration timeout;
    private final ScheduledExecutorService executor;
    private final String name;
    private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();
    private volatile long leaseId;
    private volatile long deadlineNanos;
    private volatile long lastRenewNanos;
    private volatile boolean closed;
    private boolean inFlight;

    /**
     * @param client the etcd client
     * @param ttl the lease TTL
     * @param timeout deadline of each etcd call
     * @param executor runs the renewals; single-threaded is enough
     * @param name for logs
     */
    public EtcdSession(Client client, Duration ttl, Duration timeout, ScheduledExecutorService executor, String name) {
        this.client = client;
        this.ttlSeconds = ttl.toSeconds();
        this.timeout = timeout;
        this.executor = executor;
        this.name = name;
    }

    /** Starts granting and renewing; returns at once. */
    public void start() {
        long period = Math.max(500, ttlSeconds * 1000 / 3);
        executor.scheduleWithFixedDelay(this::tick, 0, period, TimeUnit.MILLISECONDS);
    }

    /**
     * @param listener called (on the session's executor) with each newly granted lease id; called at once if there
     *        is a lease already
     */
    public void onLease(LongConsumer listener) {
        listeners.add(listener);
        long id = leaseId;
        if (id != 0) {
            executor.execute(() -> listener.accept(id));
        }
    }

    /** @return the current lease id, or 0 when there is none */
    public long leaseId() {
        return leaseId;
    }

    /** @return the lease state now */
    public State state() {
        long id = leaseId;
        if (id == 0) {
            return State.NONE;
        }
        long now = System.nanoTime();
        if (now - deadlineNanos >= 0) {
            return State.NONE;
        }
        return now - lastRenewNanos > TimeUnit.SECONDS.toNanos(ttlSeconds) / 3 + TimeUnit.MILLISECONDS.toNanos(
                Math.max(500, timeout.toMillis())) ? State.SUSPENDED : State.LIVE;
    }

    /** @return the monotonic ({@link System#nanoTime()}) time after which the lease must be taken as lost */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Runs on the executor; starts at most one etcd call at a time. */
    private void tick() {
        if (closed || inFlight) {
            return;
        }
        long id = leaseId;
        long sent = System.nanoTime();
        if (id != 0 && sent - deadlineNanos >= 0) {
            LOG.warn("etcd lease {} of {} passed its deadline without a renewal; taking it as lost",
                    Long.toHexString(id), name);
            leaseId = 0;
            id = 0;
        }
        inFlight = true;
        if (id == 0) {
            client.getLeaseClient().grant(ttlSeconds, timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .whenCompleteAsync((r, e) -> granted(r, e, sent), executor);
        } else {
            long renewing = id;
            client.getLeaseClient().keepAliveOnce(id)
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .whenCompleteAsync((r, e) -> renewed(renewing, r, e, sent), executor);
        }
    }

    private void granted(LeaseGrantResponse r, Throwable e, long sent) {
        inFlight = false;
        if (e != null) {
            LOG.debug("etcd lease grant for {} failed: {}", name, e.toString());
            return;
        }
        if (closed) {
            client.getLeaseClient().revoke(r.getID());
            return;
        }
        deadlineNanos = sent + TimeUnit.SECONDS.toNanos(r.getTTL()) - SAFETY_MARGIN_NANOS;
        lastRenewNanos = sent;
        leaseId = r.getID();
        LOG.debug("etcd lease {} granted to {} (ttl {} s)", Long.toHexString(r.getID()), name, r.getTTL());
        for (LongConsumer l : listeners) {
            try {
                l.accept(r.getID());
            } catch (RuntimeException ex) {
                LOG.warn("lease listener of {} failed", name, ex);
            }
        }
    }

    private void renewed(long id, LeaseKeepAliveResponse r, Throwable e, long sent) {
        inFlight = false;
        if (leaseId != id) {
            return;
        }
        if (e == null && r.getTTL() > 0) {
            deadlineNanos = sent + TimeUnit.SECONDS.toNanos(r.getTTL()) - SAFETY_MARGIN_NANOS;
            lastRenewNanos = sent;
            return;
        }
        String why = e == null ? "ttl " + r.getTTL() : e.toString();
        if (e == null || why.contains("NOT_FOUND") || why.contains("not found")) {
            LOG.info("etcd lease {} of {} is gone ({}); granting a new one", Long.toHexString(id), name, why);
            leaseId = 0;
            executor.execute(this::tick);
        } else {
            LOG.debug("etcd lease {} of {}: renewal failed: {}", Long.toHexString(id), name, why);
        }
    }

    /** Stops renewing and revokes the lease (best effort, bounded by the call deadline). */
    @Override
    public void close() {
        closed = true;
        long id = leaseId;
        leaseId = 0;
        if (id != 0) {
            try {
                client.getLeaseClient().revoke(id).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.debug("revoking etcd lease {} of {} failed: {}", Long.toHexString(id), name, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "EtcdSession[" + name + ", lease=" + Long.toHexString(leaseId) + ", " + state() + "]";
    }
}
