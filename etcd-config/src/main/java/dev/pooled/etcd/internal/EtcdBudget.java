package dev.pooled.etcd.internal;

import dev.pooled.ConnectionBudget;
import dev.pooled.etcd.internal.BudgetAllocator.Delete;
import dev.pooled.etcd.internal.BudgetAllocator.Member;
import dev.pooled.etcd.internal.BudgetAllocator.Plan;
import dev.pooled.etcd.internal.BudgetAllocator.Quota;
import dev.pooled.etcd.internal.BudgetAllocator.Write;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One global budget as this process sees it: its record, the memberships ({@link Claim}s) of this process's pools,
 * and, when this process wins the election, the allocator. Keys under {@code <ns>/pooled/v1/budgets/<name>/}:
 *
 * <pre>
 * record             the budget record (JSON, {@link BudgetCodec#parseRecord}); written by pooledctl
 * members/&lt;id&gt;       one per claim incarnation, under this process's lease: priority, demand, held, grant, seen
 * quota/&lt;id&gt;         written by the allocator only, no lease: member_rev, grant, bound
 * allocator          the elected allocator, under its lease (create-if-absent; its create revision fences writes)
 * status             the allocator's summary: capacity, reserved, granted, members (for pooledctl and dashboards)
 * </pre>
 *
 * <p>{@link Claim#update(int, int)} reads volatile state only: the quota the watch delivered and the session's
 * monotonic deadline; every etcd call runs on the worker thread, bounded by the call deadline.
 */
public final class EtcdBudget implements ConnectionBudget {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdBudget.class);
    static final long TICK_MS = 100;
    private static final long PLAN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long CAMPAIGN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);
    private static final long RECORD_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long URGENT_REPORT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long REPORT_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String name;
    private final String prefix;
    private final Client client;
    private final EtcdSession session;
    private final ScheduledExecutorService worker;
    private final String instance;
    private final int fallbackFloor;
    private final Duration timeout;
    private final List<Claim> claims = new CopyOnWriteArrayList<>();
    /** Counts this process's etcd writes for this budget (reports, quotas, campaigns), for the scale figures. */
    private final AtomicLong writes = new AtomicLong();

    private volatile BudgetSpec spec;
    private volatile String specProblem;
    private long specReadAt = Long.MIN_VALUE;
    private boolean specInFlight;

    private long watchedLease;
    private Watch.Watcher watcher;

    private volatile long allocatorRev;
    private long allocatorLease;
    private volatile String allocatorIdentity;
    private BudgetAllocator engine;
    private long nextPlan;
    private long nextCampaign;
    private boolean allocatorInFlight;
    private volatile Plan lastPlan;
    private String lastStatus;

    /**
     * @param name the budget's name
     * @param prefix its key prefix (ends with {@code /})
     * @param client the etcd client
     * @param session the lease this process's members and allocator key live under
     * @param worker runs every etcd call of this budget; single-threaded
     * @param instance this instance's id, for reports and the allocator key
     * @param fallbackFloor the floor used before the record is read (etcd unreachable at start)
     * @param timeout deadline of each etcd call
     */
    public EtcdBudget(String name, String prefix, Client client, EtcdSession session, ScheduledExecutorService worker,
            String instance, int fallbackFloor, Duration timeout) {
        this.name = name;
        this.prefix = prefix;
        this.client = client;
        this.session = session;
        this.worker = worker;
        this.instance = instance;
        this.fallbackFloor = fallbackFloor;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the record's {@code max_connections}, or 0 before the record was read */
    @Override
    public int max() {
        BudgetSpec s = spec;
        return s == null ? 0 : s.maxConnections();
    }

    @Override
    public Claim claim(String pool, int priority) {
        Claim c = new Claim(pool, priority);
        claims.add(c);
        worker.execute(this::tick);
        return c;
    }

    /** @return the record in force, or {@code null} before it was read */
    public BudgetSpec spec() {
        return spec;
    }

    /** @return why the record is not in force (missing, invalid), or {@code null} */
    public String specProblem() {
        return specProblem;
    }

    /** @return the elected allocator's instance id as last seen, or {@code null} */
    public String allocator() {
        return allocatorIdentity;
    }

    /** @return whether this process is the allocator now */
    public boolean isAllocator() {
        return allocatorRev != 0;
    }

    /** @return the allocator's last decision if this process made it, else {@code null} */
    public Plan lastPlan() {
        return lastPlan;
    }

    /** @return etcd writes this process made for the budget */
    public long writes() {
        return writes.get();
    }

    /** @return this process's memberships */
    public List<Claim> claims() {
        return List.copyOf(claims);
    }

    private int floor() {
        BudgetSpec s = spec;
        return s == null ? fallbackFloor : s.floorPerInstance();
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private <T> CompletableFuture<T> bounded(CompletableFuture<T> f) {
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The worker's 100 ms tick: record, watch, members, allocator. */
    public void tick() {
        try {
            long now = System.nanoTime();
            long lease = session.leaseId();
            boolean leaseValid = lease != 0 && now - session.deadlineNanos() < 0;
            if (!specInFlight && (spec == null || now - specReadAt >= RECORD_PERIOD_NANOS)) {
                readSpec(now);
            }
            if (leaseValid && lease != watchedLease && !claims.isEmpty()) {
                watchQuotas(lease);
            }
            for (Claim c : claims) {
                c.tick(lease, leaseValid, now);
            }
            allocatorTick(lease, leaseValid, now);
        } catch (RuntimeException e) {
            LOG.warn("budget {}: tick failed", name, e);
        }
    }

    private void readSpec(long now) {
        specInFlight = true;
        bounded(client.getKVClient().get(bytes(prefix + "record"))).whenCompleteAsync((r, e) -> {
            specInFlight = false;
            if (e != null) {
                return;
            }
            specReadAt = now;
            if (r.getKvs().isEmpty()) {
                if (specProblem == null) {
                    LOG.warn("budget {}: no record at {}record; members stay at their floor", name, prefix);
                }
                specProblem = "no record at " + prefix + "record";
                return;
            }
            try {
                BudgetSpec s = BudgetCodec.parseRecord(r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
                if (!s.equals(spec)) {
                    LOG.info("budget {}: record {}", name, s);
                }
                spec = s;
                specProblem = null;
            } catch (IllegalArgumentException bad) {
                // The last good record stays in force.
                if (!bad.getMessage().equals(specProblem)) {
                    LOG.warn("budget {}: {}; keeping {}", name, bad.getMessage(), spec);
                }
                specProblem = bad.getMessage();
            }
        }, worker);
    }

    private void watchQuotas(long lease) {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        watchedLease = lease;
        String quotaPrefix = prefix + "quota/" + Long.toHexString(lease) + "-";
        bounded(client.getKVClient().get(bytes(quotaPrefix), GetOption.builder().isPrefix(true).build()))
                .whenCompleteAsync((r, e) -> {
                    if (e != null || watchedLease != lease) {
                        if (watchedLease == lease) {
                            watchedLease = 0;
                        }
                        return;
                    }
                    for (KeyValue kv : r.getKvs()) {
                        quotaEvent(kv);
                    }
                    WatchOption opt = WatchOption.builder().isPrefix(true).withRevision(r.getHeader().getRevision() + 1)
                            .withRequireLeader(true).build();
                    watcher = client.getWatchClient().watch(bytes(quotaPrefix), opt,
                            Watch.listener(this::onWatch, err -> worker.execute(() -> {
                                LOG.debug("budget {}: quota watch failed: {}", name, err.toString());
                                if (watchedLease == lease) {
                                    watchedLease = 0;
                                }
                            })));
                }, worker);
    }

    private void onWatch(WatchResponse r) {
        for (WatchEvent ev : r.getEvents()) {
            if (ev.getEventType() == WatchEvent.EventType.PUT) {
                quotaEvent(ev.getKeyValue());
            }
        }
    }

    /** From the watch's thread or the worker: hands the quota to its claim (volatile write). */
    private void quotaEvent(KeyValue kv) {
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        String id = key.substring(key.lastIndexOf('/') + 1);
        for (Claim c : claims) {
            if (id.equals(c.id)) {
                Quota q = BudgetCodec.readQuota(id, kv.getModRevision(), kv.getValue().toString(StandardCharsets.UTF_8));
                c.offer(q);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- allocator

    private void allocatorTick(long lease, boolean leaseValid, long now) {
        if (allocatorInFlight) {
            return;
        }
        String key = prefix + "allocator";
        if (claims.isEmpty()) {
            if (allocatorRev != 0) {
                // No pool of ours is on the budget any more: resign, or nobody else could allocate while we live.
                long rev = allocatorRev;
                allocatorRev = 0;
                lastPlan = null;
                ByteSequence k = bytes(key);
                bounded(client.getKVClient().txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(rev)))
                        .Then(Op.delete(k, DeleteOption.DEFAULT)).commit()).exceptionally(e -> null);
                writes.incrementAndGet();
                LOG.info("budget {}: {} resigns as allocator (no member left here)", name, instance);
            }
            return;
        }
        if (allocatorRev != 0 && (!leaseValid || allocatorLease != lease)) {
            LOG.info("budget {}: {} stops allocating (lease {})", name, instance, leaseValid ? "changed" : "lost");
            allocatorRev = 0;
            lastPlan = null;
        }
        if (!leaseValid || spec == null) {
            return;
        }
        if (allocatorRev == 0) {
            if (now - nextCampaign < 0) {
                return;
            }
            nextCampaign = now + CAMPAIGN_PERIOD_NANOS;
            allocatorInFlight = true;
            String value = Json.write(Map.of("instance", instance, "lease", Long.toHexString(lease)), false);
            ByteSequence k = bytes(key);
            bounded(client.getKVClient().txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)))
                    .Then(Op.put(k, bytes(value), PutOption.builder().withLeaseId(lease).build()))
                    .Else(Op.get(k, GetOption.DEFAULT)).commit()).whenCompleteAsync((r, e) -> {
                        allocatorInFlight = false;
                        if (e != null) {
                            return;
                        }
                        if (r.isSucceeded()) {
                            writes.incrementAndGet();
                            won(r.getHeader().getRevision(), lease);
                        } else if (!r.getGetResponses().isEmpty() && !r.getGetResponses().get(0).getKvs().isEmpty()) {
                            KeyValue kv = r.getGetResponses().get(0).getKvs().get(0);
                            if (kv.getLease() == lease) {
                                won(kv.getCreateRevision(), lease);
                            } else {
                                Map<?, ?> m = BudgetCodec.object(kv.getValue().toString(StandardCharsets.UTF_8));
                                allocatorIdentity = m == null ? "?" : BudgetCodec.str(m, "instance");
                            }
                        }
                    }, worker);
            return;
        }
        if (now - nextPlan < 0) {
            return;
        }
        nextPlan = now + PLAN_PERIOD_NANOS;
        allocatorInFlight = true;
        ByteSequence k = bytes(key);
        long rev = allocatorRev;
        GetOption all = GetOption.builder().isPrefix(true).build();
        bounded(client.getKVClient().txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(rev)))
                .Then(Op.get(bytes(prefix + "members/"), all), Op.get(bytes(prefix + "quota/"), all))
                .Else(Op.get(k, GetOption.DEFAULT)).commit()).whenCompleteAsync((r, e) -> {
                    if (e != null) {
                        allocatorInFlight = false;
                        return;
                    }
                    if (!r.isSucceeded()) {
                        LOG.info("budget {}: {} is no longer the allocator", name, instance);
                        allocatorRev = 0;
                        lastPlan = null;
                        allocatorInFlight = false;
                        return;
                    }
                    plan(r, rev, lease);
                }, worker);
    }

    private void won(long rev, long lease) {
        allocatorRev = rev;
        allocatorLease = lease;
        allocatorIdentity = instance;
        // A new allocator remembers nothing: departed members' grace restarts from now (later reuse, never earlier).
        engine = new BudgetAllocator();
        nextPlan = System.nanoTime();
        LOG.info("budget {}: {} is the allocator (revision {})", name, instance, rev);
    }

    private void plan(TxnResponse r, long rev, long lease) {
        BudgetSpec s = spec;
        List<Member> members = new ArrayList<>();
        for (KeyValue kv : r.getGetResponses().get(0).getKvs()) {
            String key = kv.getKey().toString(StandardCharsets.UTF_8);
            String id = key.substring(key.lastIndexOf('/') + 1);
            Member m = BudgetCodec.readMember(id, kv.getCreateRevision(), kv.getValue().toString(StandardCharsets.UTF_8));
            members.add(m != null ? m : new Member(id, kv.getCreateRevision(), 0, 0, 0, 0, 0, -1, -1, 0));
        }
        List<Quota> quotas = new ArrayList<>();
        for (KeyValue kv : r.getGetResponses().get(1).getKvs()) {
            String key = kv.getKey().toString(StandardCharsets.UTF_8);
            String id = key.substring(key.lastIndexOf('/') + 1);
            Quota q = BudgetCodec.readQuota(id, kv.getModRevision(), kv.getValue().toString(StandardCharsets.UTF_8));
            // Unreadable: it may stand for connections held; count it as the whole budget until its grace ends.
            quotas.add(q != null ? q : new Quota(id, 0, s.maxConnections(), s.maxConnections(), kv.getModRevision()));
        }
        Plan p = engine.plan(s, members, quotas, System.nanoTime());
        lastPlan = p;
        ByteSequence fence = bytes(prefix + "allocator");
        Cmp owner = new Cmp(fence, Cmp.Op.EQUAL, CmpTarget.createRevision(rev));
        List<CompletableFuture<TxnResponse>> calls = new ArrayList<>();
        for (Write w : p.writes()) {
            ByteSequence qk = bytes(prefix + "quota/" + w.id());
            calls.add(bounded(client.getKVClient().txn()
                    .If(owner, new Cmp(bytes(prefix + "members/" + w.id()), Cmp.Op.EQUAL,
                            CmpTarget.createRevision(w.memberRevision())),
                            new Cmp(qk, Cmp.Op.EQUAL, CmpTarget.modRevision(w.expectedModRevision())))
                    .Then(Op.put(qk, bytes(BudgetCodec.writeQuota(w.memberRevision(), w.grant(), w.bound())),
                            PutOption.DEFAULT))
                    .commit()));
        }
        for (Delete d : p.deletes()) {
            ByteSequence qk = bytes(prefix + "quota/" + d.id());
            calls.add(bounded(client.getKVClient().txn()
                    .If(owner, new Cmp(qk, Cmp.Op.EQUAL, CmpTarget.modRevision(d.expectedModRevision())))
                    .Then(Op.delete(qk, DeleteOption.DEFAULT)).commit()));
        }
        String status = Json.write(Map.of("allocator", instance, "capacity", p.capacity(), "reserved", p.reserved(),
                "granted", p.granted(), "members", p.live(), "departed", p.departed(), "capacity_reason",
                p.capacityReason(), "max_connections", s.maxConnections(), "reserve", s.reserve()), false);
        if (!status.equals(lastStatus)) {
            ByteSequence sk = bytes(prefix + "status");
            calls.add(bounded(client.getKVClient().txn().If(owner)
                    .Then(Op.put(sk, bytes(status), PutOption.DEFAULT)).commit()));
            lastStatus = status;
        }
        writes.addAndGet(calls.size());
        CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]))
                .whenCompleteAsync((v, e) -> allocatorInFlight = false, worker);
    }

    /** Closes every claim (on source close). */
    public void closeAll() {
        for (Claim c : claims) {
            c.close();
        }
        if (watcher != null) {
            watcher.close();
        }
    }

    @Override
    public String toString() {
        return "EtcdBudget[" + name + ", " + spec + "]";
    }

    /**
     * One pool's membership. {@link #update(int, int)} never blocks: it answers from the quota the watch delivered,
     * the floor before there is one, and the floor as soon as the lease's local monotonic deadline passes.
     */
    public final class Claim implements ConnectionBudget.Claim {
        private final String pool;
        private final int priority;
        private volatile int demand;
        private volatile int held;
        private volatile int grant;
        private volatile boolean closed;
        private final List<Runnable> closeListeners = new CopyOnWriteArrayList<>();
        private volatile int dbConnections = -1;
        private volatile int dbMax = -1;
        private volatile long refusals;
        private int repDb = Integer.MIN_VALUE;
        private long repRefusals;
        // Worker-thread state of the current incarnation.
        private volatile String id;
        private volatile long lease;
        private volatile long createRev;
        private volatile Quota quota;
        private boolean inFlight;
        private long reportedAt = Long.MIN_VALUE;
        private int repDemand = -1;
        private int repHeld = -1;
        private int repGrant = -1;
        private long repSeen = -1;
        private long registeredAt;
        private long quotaReadAt;

        Claim(String pool, int priority) {
            this.pool = pool;
            this.priority = priority;
        }

        @Override
        public int update(int demand, int held) {
            this.demand = Math.max(0, demand);
            this.held = Math.max(0, held);
            int g = closed ? 0 : current(System.nanoTime());
            grant = g;
            return g;
        }

        /** The grant now: the quota while the lease is surely alive, else the floor. */
        private int current(long now) {
            Quota q = quota;
            long l = lease;
            if (q == null || l == 0 || l != session.leaseId() || now - session.deadlineNanos() >= 0) {
                return floor();
            }
            return q.grant();
        }

        @Override
        public int grant() {
            return grant;
        }

        /** @return the grant {@link #update(int, int)} would return now (the floor once the lease's deadline passed) */
        public int grantNow() {
            return closed ? 0 : current(System.nanoTime());
        }

        /**
         * Feeds the database's own view into this member's reports, for budgets with {@code respect_database}: the
         * allocator caps the budget at {@code max − reserve − (connections − Σ held)} and freezes it for a while
         * after a refusal. Never blocks.
         *
         * @param connections the server's connections now (every client), -1 unknown
         * @param max the server's max_connections, -1 unknown
         * @param refusals how often the server refused this pool a connection for lack of slots (53300, MySQL
         *        1040/1203), cumulative
         */
        public void database(int connections, int max, long refusals) {
            this.dbConnections = connections;
            this.dbMax = max;
            this.refusals = refusals;
        }

        /** @return the pool's name */
        public String pool() {
            return pool;
        }

        /** @return the last demand the pool reported */
        public int demand() {
            return demand;
        }

        /** @return the last holdings the pool reported */
        public int held() {
            return held;
        }

        /** @return the quota etcd holds for this claim, or -1 before there is one */
        public int quota() {
            Quota q = quota;
            return q == null ? -1 : q.grant();
        }

        /** @return this incarnation's member id, or {@code null} before it registered */
        public String memberId() {
            return id;
        }

        /** @return the lease state: "live", "suspended" (renewal overdue) or "none" (lost or not yet granted) */
        public String leaseState() {
            long l = lease;
            if (l == 0 || l != session.leaseId()) {
                return "none";
            }
            return session.state().name().toLowerCase(java.util.Locale.ROOT);
        }

        void offer(Quota q) {
            if (q == null || q.memberRevision() != createRev) {
                return;
            }
            Quota cur = quota;
            if (cur == null || q.modRevision() > cur.modRevision()) {
                quota = q;
            }
        }

        void tick(long sessionLease, boolean leaseValid, long now) {
            if (closed || inFlight) {
                return;
            }
            if (sessionLease != lease || id == null) {
                if (leaseValid) {
                    register(sessionLease);
                }
                return;
            }
            if (!leaseValid) {
                return;
            }
            Quota q = quota;
            if (q == null && now - registeredAt > RECORD_PERIOD_NANOS / 2 && now - quotaReadAt > RECORD_PERIOD_NANOS / 2) {
                // A quota written before this process knew its own create revision was dropped by offer(): read it.
                quotaReadAt = now;
                bounded(client.getKVClient().get(bytes(prefix + "quota/" + id))).whenCompleteAsync((r, e) -> {
                    if (e == null && !r.getKvs().isEmpty()) {
                        quotaEvent(r.getKvs().get(0));
                    }
                }, worker);
            }
            long seen = q == null ? 0 : q.modRevision();
            int g = grant;
            int h = held;
            int d = demand;
            int db = 31 * dbConnections + dbMax;
            boolean urgent = seen != repSeen || g != repGrant || (h != repHeld && (h > g || repHeld > repGrant))
                    || refusals != repRefusals;
            boolean soft = d != repDemand || h != repHeld || db != repDb;
            if ((urgent && now - reportedAt >= URGENT_REPORT_NANOS) || (soft && now - reportedAt >= REPORT_PERIOD_NANOS)) {
                report(d, h, g, seen, now);
            }
        }

        private String report(int d, int h, int g, long seen) {
            return BudgetCodec.writeReport(instance, pool, priority, d, h, g, seen, dbConnections, dbMax, refusals);
        }

        private void report(int d, int h, int g, long seen, long now) {
            inFlight = true;
            reportedAt = now;
            writes.incrementAndGet();
            String memberId = id;
            long l = lease;
            int db = 31 * dbConnections + dbMax;
            long refused = refusals;
            bounded(client.getKVClient().put(bytes(prefix + "members/" + memberId), bytes(report(d, h, g, seen)),
                    PutOption.builder().withLeaseId(l).build())).whenCompleteAsync((r, e) -> {
                        inFlight = false;
                        if (e == null && memberId.equals(id)) {
                            repDb = db;
                            repRefusals = refused;
                            repDemand = d;
                            repHeld = h;
                            repGrant = g;
                            repSeen = seen;
                        }
                    }, worker);
        }

        private void register(long sessionLease) {
            inFlight = true;
            String newId = Long.toHexString(sessionLease) + "-" + SEQUENCE.incrementAndGet();
            ByteSequence k = bytes(prefix + "members/" + newId);
            int d = demand;
            int h = held;
            int g = grant;
            writes.incrementAndGet();
            // The new incarnation starts with no quota: the floor until the allocator writes one for it.
            quota = null;
            long previous = lease;
            lease = 0;
            if (previous != 0 && previous != sessionLease) {
                // The old lease is lost to us (this process is at its floor since its deadline); revoking it, if
                // etcd still has it (it extends leases when it restarts), frees its keys now instead of a TTL later.
                client.getLeaseClient().revoke(previous).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .exceptionally(e -> null);
            }
            bounded(client.getKVClient().txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)))
                    .Then(Op.put(k, bytes(report(d, h, g, 0)), PutOption.builder().withLeaseId(sessionLease).build()))
                    .commit()).whenCompleteAsync((r, e) -> {
                        inFlight = false;
                        if (e != null || !r.isSucceeded()) {
                            return;
                        }
                        if (closed) {
                            // Closed while joining: the key must not outlive the claim under a lease that lives on.
                            bounded(client.getKVClient().delete(k)).exceptionally(x -> null);
                            return;
                        }
                        createRev = r.getHeader().getRevision();
                        id = newId;
                        lease = sessionLease;
                        reportedAt = System.nanoTime();
                        registeredAt = reportedAt;
                        repDemand = d;
                        repHeld = h;
                        repGrant = g;
                        repSeen = 0;
                        LOG.debug("budget {}: {} joined as {} (revision {})", name, pool, newId, createRev);
                    }, worker);
        }

        /** Leaves: the pool has closed its connections, so its member key and quota go at once. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            grant = 0;
            claims.remove(this);
            String memberId = id;
            if (memberId == null) {
                for (Runnable r : closeListeners) {
                    r.run();
                }
                return;
            }
            try {
                bounded(client.getKVClient().txn().Then(Op.delete(bytes(prefix + "members/" + memberId),
                        DeleteOption.DEFAULT), Op.delete(bytes(prefix + "quota/" + memberId), DeleteOption.DEFAULT))
                        .commit()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                writes.incrementAndGet();
            } catch (Exception e) {
                // The lease or the allocator's grace frees it later.
                LOG.debug("budget {}: {} could not remove its keys: {}", name, pool, e.toString());
            } finally {
                for (Runnable r : closeListeners) {
                    r.run();
                }
            }
        }

        /** @param listener run once when this claim closes (its pool closed) */
        public void onClose(Runnable listener) {
            closeListeners.add(listener);
            if (closed) {
                listener.run();
            }
        }

        @Override
        public String toString() {
            return "Claim[" + pool + " on " + name + ", grant=" + grant + ", id=" + id + "]";
        }
    }
}
