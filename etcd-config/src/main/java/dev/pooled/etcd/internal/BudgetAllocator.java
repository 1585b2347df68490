package dev.pooled.etcd.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The elected allocator's decision, free of I/O: from what etcd holds now (members and their reports, quotas) it
 * computes the quota writes that move shares towards demand without ever letting the sum of what every member may
 * hold exceed {@code max_connections − reserve}. Not thread-safe: one allocator thread calls {@link #plan}.
 *
 * <p><b>What a member may hold</b> ({@code R}): the largest of its floor, its reported holdings, its reported
 * grant, and its quota — the quota it last acknowledged, or, while a newer quota is unacknowledged, the largest
 * quota written since its last acknowledgement ({@link Quota#bound()}; kept in the quota record so that a new
 * allocator inherits it). A member gone from etcd (lease expired, or crashed) keeps its last {@code R} for
 * {@code grace_ms} on this allocator's clock from when this allocator first saw it gone; after that its floor is
 * covered by the {@code max_instances} floor slots, which are reserved whether they are taken or not.
 *
 * <p><b>Break-before-make</b> follows from the accounting: a lowered quota does not lower {@code R} until the
 * member acknowledges it and reports smaller holdings, and a quota is raised only into capacity nobody's {@code R}
 * covers. So a decrease and an increase may be written in the same tick: the increase can only use capacity that
 * was already free.
 */
final class BudgetAllocator {
    /** How long a member's demand peak is remembered: shares follow a rise at once and a fall 2 s later. */
    static final long DEMAND_HOLD_NANOS = 2_000_000_000L;
    /** How long the budget stays frozen at current holdings after a member saw the database refuse. */
    static final long REFUSAL_HOLD_NANOS = 5_000_000_000L;

    /**
     * A member as etcd holds it: its registration (lease-bound key) and its latest report.
     *
     * @param id the member's key suffix, unique per incarnation
     * @param createRevision the create revision of its member key (fences quota writes to this incarnation)
     * @param priority 0..9
     * @param demand connections it wants
     * @param held connections it holds or may still open (its pool's own figure)
     * @param grant the grant it applies now
     * @param seen mod revision of the newest quota it has applied; 0 = none
     * @param dbConnections the database's connections now (all clients), -1 unknown
     * @param dbMax the database's max_connections, -1 unknown
     * @param refusals how often the database refused a connection ("too many connections"), cumulative
     */
    record Member(String id, long createRevision, int priority, int demand, int held, int grant, long seen,
            int dbConnections, int dbMax, long refusals) {
    }

    /**
     * A quota record as etcd holds it.
     *
     * @param id the member's key suffix
     * @param memberRevision create revision of the member key it was written for
     * @param grant the share the member may use
     * @param bound the most the member may hold because of quotas: the largest quota written since its last
     *        acknowledgement, at least {@code grant}
     * @param modRevision the record's mod revision
     */
    record Quota(String id, long memberRevision, int grant, int bound, long modRevision) {
    }

    /**
     * A quota to write, only if the record is still at {@code expectedModRevision} (0 = absent) and the member key
     * still has {@code memberRevision} as its create revision.
     */
    record Write(String id, long memberRevision, int grant, int bound, long expectedModRevision) {
    }

    /** A departed member's quota to delete if still at {@code expectedModRevision}. */
    record Delete(String id, long expectedModRevision) {
    }

    /**
     * One tick's decision and the figures the allocator publishes.
     *
     * @param capacity what members may hold together now: {@code max_connections − reserve}, or less when the
     *        database says so
     * @param reserved the sum of every member's {@code R} plus the empty floor slots, before these writes
     * @param granted the sum of quotas after these writes
     */
    record Plan(List<Write> writes, List<Delete> deletes, int capacity, int reserved, int granted, int live,
            int departed, String capacityReason) {
    }

    private final Map<String, Long> departedSince = new HashMap<>();
    private final Map<String, long[]> demandPeak = new HashMap<>();
    private final Map<String, Long> refusalsSeen = new HashMap<>();
    private long refusedAt = Long.MIN_VALUE;

    /**
     * @param spec the budget record in force
     * @param members every member key under the budget now
     * @param quotas every quota record under the budget now
     * @param now monotonic nanoseconds of this allocator
     * @return the writes to make (each fenced as described by {@link Write}) and the figures
     */
    Plan plan(BudgetSpec spec, List<Member> members, List<Quota> quotas, long now) {
        int floor = spec.floorPerInstance();
        Map<String, Quota> quotaById = new HashMap<>();
        for (Quota q : quotas) {
            quotaById.put(q.id(), q);
        }
        Set<String> liveIds = new HashSet<>();
        int liveHeld = 0;
        boolean refusedNow = false;
        for (Member m : members) {
            liveIds.add(m.id());
            liveHeld += Math.max(0, m.held());
            Long before = refusalsSeen.put(m.id(), m.refusals());
            if (before != null && m.refusals() > before) {
                refusedNow = true;
            }
        }
        refusalsSeen.keySet().retainAll(liveIds);
        demandPeak.keySet().retainAll(liveIds);
        if (refusedNow) {
            refusedAt = now;
        }

        // Departed: a quota whose incarnation has no member key any more.
        List<Delete> deletes = new ArrayList<>();
        int departedCount = 0;
        long departedExtra = 0;
        Set<String> departedIds = new HashSet<>();
        for (Quota q : quotas) {
            Member m = find(members, q.id());
            if (m != null && m.createRevision() == q.memberRevision()) {
                continue;
            }
            departedIds.add(q.id());
            long since = departedSince.computeIfAbsent(q.id(), k -> now);
            if (now - since >= spec.graceMillis() * 1_000_000L && m == null) {
                deletes.add(new Delete(q.id(), q.modRevision()));
            }
            // Counted until the delete is seen done: nothing is raised into it in the tick that deletes it.
            departedCount++;
            departedExtra += Math.max(0, Math.max(q.bound(), q.grant()) - floor);
        }
        departedSince.keySet().retainAll(departedIds);

        // R of every live member.
        int n = members.size();
        int[] r = new int[n];
        int[] current = new int[n];
        long reservedSum = 0;
        for (int i = 0; i < n; i++) {
            Member m = members.get(i);
            Quota q = quotaFor(quotaById, m);
            current[i] = q == null ? -1 : q.grant();
            r[i] = Math.max(Math.max(floor, potential(q, m)), Math.max(m.held(), m.grant()));
            reservedSum += r[i];
        }
        int slots = Math.max(spec.maxInstances(), n + departedCount);
        reservedSum += departedExtra + (long) floor * (slots - n);

        // Capacity: the record's, capped by the database's own view.
        long capacity = spec.available();
        String why = "max_connections − reserve";
        if (spec.respectDatabase()) {
            for (Member m : members) {
                if (m.dbMax() > 0 && m.dbConnections() >= 0) {
                    long others = Math.max(0, m.dbConnections() - liveHeld);
                    long dbCap = m.dbMax() - spec.reserve() - others;
                    if (dbCap < capacity) {
                        capacity = dbCap;
                        why = "database: max_connections " + m.dbMax() + " − reserve − " + others + " other sessions";
                    }
                }
            }
            if (refusedAt != Long.MIN_VALUE && now - refusedAt < REFUSAL_HOLD_NANOS && reservedSum < capacity) {
                capacity = reservedSum;
                why = "database refused connections: frozen at current holdings";
            }
        }
        capacity = Math.max(0, capacity);

        // Targets: floors, then the movable rest by priority and demand.
        int[] priority = new int[n];
        int[] want = new int[n];
        for (int i = 0; i < n; i++) {
            Member m = members.get(i);
            priority[i] = m.priority();
            want[i] = Math.max(0, peakDemand(m, now) - floor);
        }
        long movable = capacity - (long) floor * slots - departedExtra;
        int[] extra = BudgetAllocation.extra((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, movable)),
                priority, want);

        List<Write> writes = new ArrayList<>();
        long granted = 0;
        List<Integer> raises = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Member m = members.get(i);
            Quota q = quotaFor(quotaById, m);
            int target = floor + extra[i];
            if (current[i] >= 0 && target < current[i]) {
                // Lowering never lowers R: the member may still use the old quota until it acknowledges.
                writes.add(new Write(m.id(), m.createRevision(), target, Math.max(potential(q, m), target),
                        q.modRevision()));
                granted += target;
            } else if (target > current[i]) {
                raises.add(i);
            } else {
                granted += Math.max(0, current[i]);
            }
        }
        // Raise the highest priority first, then the largest shortfall, into what nobody's R covers.
        raises.sort(Comparator.<Integer>comparingInt(i -> -priority[i])
                .thenComparingInt(i -> -(floor + extra[i] - Math.max(0, current[i]))).thenComparingInt(i -> i));
        for (int i : raises) {
            Member m = members.get(i);
            Quota q = quotaFor(quotaById, m);
            int target = floor + extra[i];
            long free = Math.max(0, capacity - reservedSum);
            int g = (int) Math.min(target, r[i] + free);
            if (g > current[i]) {
                reservedSum += Math.max(0, g - r[i]);
                Quota existing = quotaById.get(m.id());
                writes.add(new Write(m.id(), m.createRevision(), g, Math.max(potential(q, m), g),
                        existing == null ? 0 : existing.modRevision()));
                granted += g;
            } else {
                granted += Math.max(0, current[i]);
            }
        }
        return new Plan(writes, deletes, (int) capacity, (int) Math.min(Integer.MAX_VALUE, reservedSum),
                (int) granted, n, departedCount, why);
    }

    /** The most quotas let the member hold: the acknowledged quota, or the bound while one is unacknowledged. */
    private static int potential(Quota q, Member m) {
        if (q == null) {
            return 0;
        }
        return m.seen() >= q.modRevision() ? q.grant() : Math.max(q.bound(), q.grant());
    }

    private static Quota quotaFor(Map<String, Quota> quotaById, Member m) {
        Quota q = quotaById.get(m.id());
        return q != null && q.memberRevision() == m.createRevision() ? q : null;
    }

    private int peakDemand(Member m, long now) {
        long[] p = demandPeak.get(m.id());
        if (p == null || m.demand() >= p[0] || now - p[1] >= DEMAND_HOLD_NANOS) {
            demandPeak.put(m.id(), new long[] {m.demand(), now});
            return m.demand();
        }
        return (int) p[0];
    }

    private static Member find(List<Member> members, String id) {
        for (Member m : members) {
            if (m.id().equals(id)) {
                return m;
            }
        }
        return null;
    }
}
