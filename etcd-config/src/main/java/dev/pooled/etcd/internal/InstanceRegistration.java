package dev.pooled.etcd.internal;

import dev.pooled.etcd.EtcdSettings;
import dev.pooled.etcd.InstanceId;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's lease-bound key {@code <ns>/pooled/v1/instances/<service>/<instance_id>}: a JSON report of every
 * pool of that service in this process (applied config version, limit, in use, queue depth, breaker state, last
 * error), kept alive by an {@link EtcdSession} and gone within the lease TTL after the process dies. One per
 * (etcd settings, service, instance id) in the process, shared by its pools ({@link #acquire}).
 *
 * <p>Reports are written when they change (at most about once a second) and again under each new lease; never on
 * a caller's thread. Thread-safe.
 */
public final class InstanceRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceRegistration.class);
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Map<Object, InstanceRegistration> LIVE = new HashMap<>();
    private static final long WRITE_PERIOD_MS = 1_000;

    private final Object identity;
    private final EtcdClients.Handle etcd;
    private final String service;
    private final InstanceId instanceId;
    private final String key;
    private final ScheduledExecutorService executor;
    private final EtcdSession session;
    private final ReentrantLock reportLock = new ReentrantLock();
    private final Map<String, Map<String, Object>> pools = new TreeMap<>();
    private final long startedMillis = System.currentTimeMillis();
    private int users;
    private volatile boolean dirty = true;
    private volatile String written;
    private volatile long writtenLease;
    private boolean writing;

    private InstanceRegistration(Object identity, EtcdSettings settings, String service, InstanceId instanceId) {
        this.identity = identity;
        this.etcd = EtcdClients.acquire(settings);
        this.service = service;
        this.instanceId = instanceId;
        this.key = settings.keys().instance(service, instanceId.value());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pooled-" + service + "-etcd-instance");
            t.setDaemon(true);
            return t;
        });
        this.session = new EtcdSession(etcd.client(), settings.leaseTtl(), settings.timeout(), executor,
                "instance " + key);
        session.onLease(id -> {
            dirty = true;
            write();
        });
        session.start();
        executor.scheduleWithFixedDelay(this::write, WRITE_PERIOD_MS, WRITE_PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * @param settings how to reach etcd
     * @param service the service name
     * @param instanceId this instance's id
     * @return the registration for these, started on first use; {@link #close()} once per call
     */
    public static InstanceRegistration acquire(EtcdSettings settings, String service, InstanceId instanceId) {
        Object identity = java.util.List.of(settings, service, instanceId);
        LOCK.lock();
        try {
            InstanceRegistration r = LIVE.computeIfAbsent(identity,
                    k -> new InstanceRegistration(k, settings, service, instanceId));
            r.users++;
            return r;
        } finally {
            LOCK.unlock();
        }
    }

    /** @return the instance key */
    public String key() {
        return key;
    }

    /** @return the instance id */
    public InstanceId instanceId() {
        return instanceId;
    }

    /** @return the lease session that keeps the key alive; other keys of this instance may use its lease */
    public EtcdSession session() {
        return session;
    }

    /** @return the shared etcd client handle (do not close it) */
    public EtcdClients.Handle etcd() {
        return etcd;
    }

    /**
     * Sets the report of one pool; written to etcd shortly if it changed.
     *
     * @param dbRole the pool's db_role
     * @param report field names to JSON-able values
     */
    public void report(String dbRole, Map<String, Object> report) {
        reportLock.lock();
        try {
            Map<String, Object> copy = new LinkedHashMap<>(report);
            if (!Objects.equals(pools.put(dbRole, copy), copy)) {
                dirty = true;
            }
        } finally {
            reportLock.unlock();
        }
    }

    /** @param dbRole a pool that no longer runs here; its report is removed */
    public void remove(String dbRole) {
        reportLock.lock();
        try {
            if (pools.remove(dbRole) != null) {
                dirty = true;
            }
        } finally {
            reportLock.unlock();
        }
    }

    /** @return the JSON this instance reports now */
    public String document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("instance_id", instanceId.value());
        doc.put("service", service);
        doc.put("bucket", instanceId.bucket());
        doc.put("pid", ProcessHandle.current().pid());
        doc.put("started_ms", startedMillis);
        reportLock.lock();
        try {
            doc.put("pools", new TreeMap<>(pools));
            return Json.write(doc, false);
        } finally {
            reportLock.unlock();
        }
    }

    /** Runs on the executor: one put at a time, retried each period until it succeeds. */
    private void write() {
        long lease = session.leaseId();
        if (writing || lease == 0) {
            return;
        }
        if (!dirty && lease == writtenLease) {
            return;
        }
        dirty = false;
        String doc = document();
        writing = true;
        etcd.client().getKVClient().put(bytes(key), bytes(doc), PutOption.builder().withLeaseId(lease).build())
                .orTimeout(etcd.settings().timeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((r, e) -> {
                    writing = false;
                    if (e != null) {
                        dirty = true;
                        LOG.debug("writing {} failed: {}", key, e.toString());
                    } else {
                        written = doc;
                        writtenLease = lease;
                    }
                }, executor);
    }

    /** @return the document last written to etcd, or {@code null} before the first write */
    public String written() {
        return written;
    }

    /** Lets go of one use; the last one deletes the key, revokes the lease and stops the thread. */
    @Override
    public void close() {
        LOCK.lock();
        try {
            if (--users > 0) {
                return;
            }
            LIVE.remove(identity);
        } finally {
            LOCK.unlock();
        }
        executor.shutdown();
        try {
            executor.awaitTermination(etcd.settings().timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Revoking the lease deletes the key with it.
        session.close();
        etcd.close();
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "InstanceRegistration[" + key + ", " + session.state() + "]";
    }
}
