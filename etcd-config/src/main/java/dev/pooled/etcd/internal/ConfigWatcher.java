package dev.pooled.etcd.internal;

import dev.pooled.PhysicalConnections;
import dev.pooled.PoolConfig;
import dev.pooled.PoolConfigException;
import dev.pooled.etcd.ConfigRecord;
import dev.pooled.etcd.EtcdSettings;
import dev.pooled.etcd.InstanceId;
import dev.pooled.etcd.SecretRef;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one pool on its config record: reads {@code config/<service>/<db_role>} and {@code rollout/...} in one
 * transaction, applies what this instance should run (the staged candidate if the rollout's percentage reaches its
 * bucket, else the record, else the pool's own settings), then watches both keys from the revision it read. Watch
 * events only trigger a fresh read, so an event lost to a compaction, a restart or a reconnect costs nothing: after
 * any watch error the watcher reads again and watches from the new revision, and it also re-reads every
 * {@link #RESYNC} in case a watch stalls silently.
 *
 * <p>A record that fails (bad JSON, unknown field, bad type, out of range, refused by the running pool, unreadable
 * credential) is logged with its reason and counted in {@code pooled.config.rejected{reason}}, once per version; the
 * last good config stays in force. Everything runs on one daemon thread; nothing here is on the acquire path.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
    /** Re-read this often even when no event came (a stalled watch must not hide a change for long). */
    static final Duration RESYNC = Duration.ofSeconds(10);
    private static final long FILE_CHECK_MS = 1_000;
    private static final long MIN_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 4_000;
    private static final String REJECTED = dev.pooled.metrics.MetricNames.CONFIG_REJECTED;

    private final EtcdClients.Handle etcd;
    private final EtcdSettings settings;
    private final String service;
    private final String dbRole;
    private final InstanceId instanceId;
    private final PoolConfig base;
    private final PhysicalConnections physical;
    private final MeterRegistry registry;
    private final String poolTag;
    private final String configKey;
    private final String rolloutKey;
    private final ScheduledExecutorService executor;
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

    private LivePool pool;
    private InstanceRegistration registration;
    private final List<Watch.Watcher> watchers = new ArrayList<>();
    private long watchedFrom;
    private boolean refreshQueued;
    private long backoffMs = MIN_BACKOFF_MS;
    private volatile boolean closed;
    private volatile Thread worker;

    // What is in force (written on the executor; read by reports and tests).
    private volatile long appliedVersion;
    private volatile String appliedSource = "url";
    private volatile PoolConfig appliedConfig;
    private volatile String lastError;
    private volatile long lastRejectedVersion = -1;
    private volatile boolean etcdReachable;
    private ConfigRecord appliedRecord;
    private String attemptedIdentity;
    private Map<Path, String> fingerprints = Map.of();
    private PasswordSource passwordSource;

    /**
     * @param etcd a shared client for {@code settings}; this watcher closes its handle
     * @param settings the etcd settings
     * @param instanceId this instance
     * @param base the pool's own config (URL, properties, builder): the fallback, and what a record overrides
     * @param physical the pool's physical-connection opener, for credentials
     * @param registry where {@code pooled.config.rejected} is counted
     * @param poolTag the pool tag of the counter
     */
    public ConfigWatcher(EtcdClients.Handle etcd, EtcdSettings settings, InstanceId instanceId, PoolConfig base,
            PhysicalConnections physical, MeterRegistry registry, String poolTag) {
        this.etcd = etcd;
        this.settings = settings;
        this.service = base.service();
        this.dbRole = base.dbRole();
        this.instanceId = instanceId;
        this.base = base;
        this.physical = physical;
        this.registry = registry;
        this.poolTag = poolTag;
        this.configKey = settings.keys().config(service, dbRole);
        this.rolloutKey = settings.keys().rollout(service, dbRole);
        this.appliedConfig = base;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pooled-" + service + "." + dbRole + "-etcd-config");
            t.setDaemon(true);
            worker = t;
            return t;
        });
    }

    /**
     * Reads the record before the pool starts, within the etcd call deadline. A pool whose etcd is unreachable, or
     * whose record is invalid, starts on its own settings and picks the record up later.
     *
     * @return the config to start with
     */
    public PoolConfig startConfig() {
        try {
            TxnResponse r = read().get(settings.timeout().toMillis() + 500, TimeUnit.MILLISECONDS);
            executor.submit(() -> decide(r, null)).get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("etcd at {} unreachable while starting pool {}/{} ({}); starting on its own settings and applying"
                    + " {} when etcd answers", settings.endpointsText(), service, dbRole, rootCause(e), configKey);
            lastError = "etcd unreachable at start: " + rootCause(e);
        }
        return appliedConfig;
    }

    /**
     * Starts watching for the running pool; returns at once.
     *
     * @param pool the pool started with {@link #startConfig()}
     */
    public void start(LivePool pool, InstanceRegistration registration) {
        long version = appliedVersion;
        if (version != 0) {
            // The pool started with the record's config; tell it which version that was before its builder
            // returns, so its stats never show the record's settings under version 0.
            try {
                pool.reconfigure(appliedConfig, version);
            } catch (PoolConfigException e) {
                LOG.warn("pool {} refused its own start config as version {}: {}", pool.name(), version,
                        e.getMessage());
            }
        }
        executor.execute(() -> {
            this.pool = pool;
            this.registration = registration;
            refresh();
        });
        executor.scheduleWithFixedDelay(this::queueRefresh, RESYNC.toMillis(), RESYNC.toMillis(),
                TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(this::checkFiles, FILE_CHECK_MS, FILE_CHECK_MS, TimeUnit.MILLISECONDS);
    }

    private java.util.concurrent.CompletableFuture<TxnResponse> read() {
        return etcd.client().getKVClient().txn()
                .Then(Op.get(bytes(configKey), GetOption.DEFAULT), Op.get(bytes(rolloutKey), GetOption.DEFAULT))
                .commit()
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void queueRefresh() {
        if (!refreshQueued && !closed) {
            refreshQueued = true;
            executor.execute(this::refresh);
        }
    }

    /** On the executor: read both keys, apply, and (re)watch from the revision read. */
    private void refresh() {
        refreshQueued = false;
        if (closed || pool == null) {
            return;
        }
        if (pool.isClosed()) {
            close();
            return;
        }
        read().whenCompleteAsync(this::decide, executor);
    }

    private void decide(TxnResponse r, Throwable e) {
        if (closed) {
            return;
        }
        if (e != null) {
            etcdReachable = false;
            lastError = "etcd unreachable: " + rootCause(e);
            LOG.debug("reading {} failed: {}", configKey, e.toString());
            retryLater();
            return;
        }
        etcdReachable = true;
        backoffMs = MIN_BACKOFF_MS;
        List<GetResponse> gets = r.getGetResponses();
        KeyValue record = gets.get(0).getKvs().isEmpty() ? null : gets.get(0).getKvs().get(0);
        KeyValue staged = gets.get(1).getKvs().isEmpty() ? null : gets.get(1).getKvs().get(0);
        long revision = r.getHeader().getRevision();
        choose(record, staged);
        if (pool != null && (watchers.isEmpty() || watchedFrom == 0)) {
            watch(revision + 1);
        }
    }

    private void retryLater() {
        closeWatchers();
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        if (!refreshQueued) {
            refreshQueued = true;
            executor.schedule(this::refresh, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void watch(long fromRevision) {
        closeWatchers();
        watchedFrom = fromRevision;
        WatchOption opt = WatchOption.builder().withRevision(fromRevision).withRequireLeader(true).build();
        Watch.Listener listener = Watch.listener(this::onEvent, this::onWatchError, this::onWatchCompleted);
        try {
            watchers.add(etcd.client().getWatchClient().watch(bytes(configKey), opt, listener));
            watchers.add(etcd.client().getWatchClient().watch(bytes(rolloutKey), opt, listener));
        } catch (RuntimeException ex) {
            LOG.debug("watching {} failed: {}", configKey, ex.toString());
            retryLater();
        }
    }

    private void onEvent(WatchResponse w) {
        if (!w.getEvents().isEmpty()) {
            executor.execute(this::queueRefresh);
        }
    }

    private void onWatchError(Throwable t) {
        // A compacted revision, a lost leader, a restarted etcd: read again, then watch from what was read.
        executor.execute(() -> {
            LOG.debug("watch of {} failed ({}); reading again", configKey, t.toString());
            watchedFrom = 0;
            retryLater();
        });
    }

    private void onWatchCompleted() {
        executor.execute(() -> {
            watchedFrom = 0;
            retryLater();
        });
    }

    private void closeWatchers() {
        for (Watch.Watcher w : watchers) {
            try {
                w.close();
            } catch (RuntimeException e) {
                LOG.trace("closing a watch failed", e);
            }
        }
        watchers.clear();
        watchedFrom = 0;
    }

    /** Decides what this instance runs, and applies it if it changed. */
    private void choose(KeyValue record, KeyValue staged) {
        String source;
        long version;
        String json;
        if (staged != null) {
            Rollout rollout;
            try {
                rollout = Rollout.parse(text(staged));
            } catch (ConfigRecord.RecordException ex) {
                reject(staged.getModRevision(), "rollout", ex);
                rollout = null;
            }
            if (rollout != null && instanceId.inStage(rollout.percent())) {
                apply("rollout", staged.getModRevision(), rollout.recordJson());
                return;
            }
        }
        if (record != null) {
            source = "record";
            version = record.getModRevision();
            json = text(record);
        } else {
            source = "url";
            version = 0;
            json = null;
        }
        apply(source, version, json);
    }

    private void apply(String source, long version, String json) {
        String identity = source + "@" + version;
        if (identity.equals(attemptedIdentity)) {
            return;
        }
        attemptedIdentity = identity;
        ConfigRecord rec = null;
        PoolConfig next = base;
        PasswordSource credential = null;
        try {
            if (json != null) {
                rec = ConfigRecord.parse(service, dbRole, json, settings.allowPlaintextPassword());
                next = rec.applyTo(base);
                credential = credential(rec);
            }
            if (pool != null) {
                pool.reconfigure(next, version);
            }
        } catch (ConfigRecord.RecordException ex) {
            reject(version, source, ex);
            return;
        } catch (PoolConfigException ex) {
            // The running pool names each setting it cannot take live (mode, sizing, budget, ...).
            reject(version, source, ConfigRecord.recordException(ConfigRecord.Reason.NOT_LIVE, ex.violations()));
            return;
        } catch (IllegalStateException ex) {
            reject(version, source, Rollout.RecordErrors.of(ConfigRecord.Reason.CONFLICT, "record", null,
                    ex.getMessage()));
            return;
        }
        // Before the pool starts (startConfig) the new credential simply becomes the first one; afterwards a new
        // credential or rotation generation rolls the physical connections.
        boolean credentialChanged = !Objects.equals(credential, passwordSource);
        if (credentialChanged) {
            physical.passwordSource(credential);
            passwordSource = credential;
        }
        long oldRotation = appliedRecord == null ? 0 : appliedRecord.rotation();
        long newRotation = rec == null ? 0 : rec.rotation();
        boolean roll = pool != null && (credentialChanged || newRotation != oldRotation);
        appliedRecord = rec;
        appliedConfig = next;
        appliedVersion = version;
        appliedSource = source;
        lastError = null;
        fingerprints = fingerprints(rec);
        LOG.info("pool {}/{} applied {} version {}{}", service, dbRole, source, version,
                rec == null ? " (its own settings)" : ": " + rec.toJson());
        if (roll && pool != null) {
            LOG.info("pool {}/{}: credential or rotation changed; rolling physical connections", service, dbRole);
            pool.roll();
        }
    }

    /** @return the credential a record names, checked now, or {@code null} when it names none */
    private PasswordSource credential(ConfigRecord rec) throws ConfigRecord.RecordException {
        if (rec.passwordRef() == null && rec.password() == null) {
            return null;
        }
        if (physical == PhysicalConnections.UNSUPPORTED) {
            throw Rollout.RecordErrors.of(ConfigRecord.Reason.CREDENTIAL, ConfigRecord.PASSWORD_REF,
                    rec.passwordRef() == null ? "****" : rec.passwordRef().ref(),
                    "this pool cannot change the credential of its physical connections");
        }
        if (rec.passwordRef() != null) {
            try {
                rec.passwordRef().read();
            } catch (PoolConfigException e) {
                throw ConfigRecord.recordException(ConfigRecord.Reason.CREDENTIAL, e.violations());
            }
            return new PasswordSource(rec.passwordRef(), null);
        }
        return new PasswordSource(null, rec.password());
    }

    /**
     * The password a record names. A file reference is read again on every physical connect (rare, and cheap), so
     * a password file replaced in place is used from the next connection on even before the roll.
     */
    private record PasswordSource(SecretRef ref, String plain) implements Supplier<String> {
        @Override
        public String get() {
            return ref != null ? ref.read() : plain;
        }

        @Override
        public String toString() {
            return ref != null ? ref.ref() : "****";
        }
    }

    private void reject(long version, String source, ConfigRecord.RecordException ex) {
        String reason = ex.reason().tag();
        lastError = source + " version " + version + " rejected (" + reason + "): " + ex.getMessage();
        if (lastRejectedVersion != version) {
            lastRejectedVersion = version;
            counter(reason).increment();
            LOG.warn("pool {}/{}: {} {} version {} rejected ({}): {}; keeping {} version {}", service, dbRole, source,
                    source.equals("rollout") ? rolloutKey : configKey, version, reason, ex.getMessage(), appliedSource,
                    appliedVersion);
        }
    }

    private Counter counter(String reason) {
        return rejected.computeIfAbsent(reason, r -> Counter.builder(REJECTED)
                .description("config records refused by this pool, by reason; the last good config stayed in force")
                .tag(dev.pooled.metrics.MetricNames.TAG_SERVICE, service)
                .tag(dev.pooled.metrics.MetricNames.TAG_DB_ROLE, dbRole)
                .tag(dev.pooled.metrics.MetricNames.TAG_POOL, poolTag)
                .tag(dev.pooled.metrics.MetricNames.TAG_REASON, r)
                .register(registry));
    }

    /** Every second: report to the instance key; a changed password file or TLS file rolls the connections. */
    private void checkFiles() {
        if (closed || pool == null) {
            return;
        }
        if (pool.isClosed()) {
            // Whoever closed the pool need not know about us: stop watching and leave the instance key.
            close();
            return;
        }
        if (registration != null) {
            try {
                Map<String, Object> r = new LinkedHashMap<>(report());
                r.putAll(pool.figures());
                registration.report(dbRole, r);
            } catch (RuntimeException e) {
                LOG.debug("report of {} failed", configKey, e);
            }
        }
        if (fingerprints.isEmpty()) {
            return;
        }
        Map<Path, String> now = fingerprints(appliedRecord);
        if (!now.equals(fingerprints)) {
            fingerprints = now;
            LOG.info("pool {}/{}: a credential or TLS file changed; rolling physical connections", service, dbRole);
            pool.roll();
        }
    }

    private static Map<Path, String> fingerprints(ConfigRecord rec) {
        if (rec == null) {
            return Map.of();
        }
        Map<Path, String> m = new LinkedHashMap<>();
        if (rec.passwordRef() != null && rec.passwordRef().kind().equals("file")) {
            Path p = Path.of(rec.passwordRef().name());
            m.put(p, fileDigest(p));
        }
        for (Path p : rec.tlsFiles()) {
            m.put(p, fileDigest(p));
        }
        return m;
    }

    private static String fileDigest(Path p) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(p)));
        } catch (Exception e) {
            return "unreadable";
        }
    }

    /** @return the figures this watcher adds to the instance report */
    public Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("applied_version", appliedVersion);
        m.put("source", appliedSource);
        m.put("max_connections", appliedConfig.maxConnections());
        m.put("rotation", appliedRecord == null ? 0 : appliedRecord.rotation());
        m.put("etcd", etcdReachable ? "ok" : "unreachable");
        m.put("last_error", lastError);
        return m;
    }

    /** @return the etcd mod revision of the record in force; 0 = the pool's own settings */
    public long appliedVersion() {
        return appliedVersion;
    }

    /** @return {@code record}, {@code rollout} or {@code url} */
    public String appliedSource() {
        return appliedSource;
    }

    /** @return the config in force */
    public PoolConfig appliedConfig() {
        return appliedConfig;
    }

    /** @return the last rejection or etcd error, or {@code null} */
    public String lastError() {
        return lastError;
    }

    /** @return the record key */
    public String configKey() {
        return configKey;
    }

    /**
     * Stops watching, removes this pool from the instance report and lets go of the registration and the client;
     * the pool keeps its last config. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Runnable finish = () -> {
            closeWatchers();
            if (registration != null) {
                registration.remove(dbRole);
                registration.close();
                registration = null;
            }
            etcd.close();
        };
        if (Thread.currentThread() == worker) {
            // On our own thread (the pool was seen closed): finish here, do not wait for ourselves.
            executor.shutdown();
            finish.run();
            return;
        }
        executor.execute(finish);
        executor.shutdown();
        try {
            executor.awaitTermination(settings.timeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 200 ? m.substring(0, 200) : m));
    }

    private static String text(KeyValue kv) {
        return kv.getValue().toString(StandardCharsets.UTF_8);
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ConfigWatcher[" + configKey + ", " + appliedSource + " v" + appliedVersion + "]";
    }
}
