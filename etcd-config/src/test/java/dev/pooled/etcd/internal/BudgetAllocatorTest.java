package dev.pooled.etcd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooled.etcd.internal.BudgetAllocator.Member;
import dev.pooled.etcd.internal.BudgetAllocator.Plan;
import dev.pooled.etcd.internal.BudgetAllocator.Quota;
import dev.pooled.etcd.internal.BudgetAllocator.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BudgetAllocatorTest {
    private static final long MS = 1_000_000L;

    @Test
    void priorityFirstThenProportionalToDemand() {
        // 10 movable: priority 9 wants 6 and gets it; the two at priority 1 split 4 in proportion to 6:2.
        int[] extra = BudgetAllocation.extra(10, new int[] {1, 9, 1}, new int[] {6, 6, 2});
        assertThat(extra).containsExactly(3, 6, 1);
        assertThat(BudgetAllocation.extra(100, new int[] {1, 9, 1}, new int[] {6, 6, 2})).containsExactly(6, 6, 2);
        assertThat(BudgetAllocation.extra(-3, new int[] {5, 5}, new int[] {4, 4})).containsExactly(0, 0);
        // Rounding: 7 among three equal demands; the sum is exact and nobody exceeds its demand.
        int[] r = BudgetAllocation.extra(7, new int[] {5, 5, 5}, new int[] {5, 5, 5});
        assertThat(r[0] + r[1] + r[2]).isEqualTo(7);
        assertThat(r).containsExactly(3, 2, 2);
    }

    @Test
    void specRejectsFloorsThatDoNotFitAndNamesEveryKey() {
        assertThatThrownBy(() -> BudgetSpec.of(20, 2, 3, 7, 3000, true))
                .hasMessageContaining("max_instances × floor_per_instance = 7 × 3 = 21")
                .hasMessageContaining("at most max_connections − reserve = 18");
        assertThatThrownBy(() -> BudgetSpec.of(0, -1, -1, 0, -5, true)).hasMessageContaining("max_connections=0")
                .hasMessageContaining("reserve=-1").hasMessageContaining("floor_per_instance=-1")
                .hasMessageContaining("max_instances=0").hasMessageContaining("grace_ms=-5");
    }

    @Test
    void raisesOnlyIntoCapacityAShrinkingMemberHasAcknowledged() {
        BudgetSpec spec = BudgetSpec.of(12, 2, 1, 2, 3000, false);
        BudgetAllocator a = new BudgetAllocator();
        // a holds 9 of 10; b joins wanting 9.
        List<Member> members = List.of(member("a", 10, 9, 9, 9, 5), member("b", 20, 9, 1, 1, 0));
        List<Quota> quotas = List.of(new Quota("a", 10, 9, 9, 5));
        Plan p = a.plan(spec, members, quotas, 0);
        Write wa = find(p.writes(), "a");
        assertThat(wa.grant()).isEqualTo(5);
        assertThat(wa.bound()).isEqualTo(9);
        // b may not grow yet: a still may hold 9 (1 + 9 = 10 = capacity).
        assertThat(find(p.writes(), "b")).satisfiesAnyOf(w -> assertThat(w).isNull(),
                w -> assertThat(w.grant()).isLessThanOrEqualTo(1));
        // a acknowledges (seen 7 = the new quota's revision) but still holds 9: nothing frees.
        quotas = List.of(new Quota("a", 10, 5, 9, 7));
        p = a.plan(spec, List.of(member("a", 10, 9, 9, 5, 7), member("b", 20, 9, 1, 1, 0)), quotas, 100 * MS);
        assertThat(find(p.writes(), "b")).satisfiesAnyOf(w -> assertThat(w).isNull(),
                w -> assertThat(w.grant()).isLessThanOrEqualTo(1));
        // a reports 5 held: b gets the 4 freed.
        p = a.plan(spec, List.of(member("a", 10, 9, 5, 5, 7), member("b", 20, 9, 1, 1, 0)), quotas, 200 * MS);
        assertThat(find(p.writes(), "b").grant()).isEqualTo(5);
    }

    @Test
    void aLoweredQuotaNotYetAcknowledgedStillCountsAtItsBound() {
        BudgetSpec spec = BudgetSpec.of(12, 2, 1, 2, 3000, false);
        BudgetAllocator a = new BudgetAllocator();
        // a was raised to 8 (revision 7), then lowered to 2 (revision 9) before it acknowledged either: it may be
        // using 8 right now.
        List<Quota> quotas = List.of(new Quota("a", 10, 2, 8, 9), new Quota("b", 20, 1, 1, 6));
        List<Member> members = List.of(member("a", 10, 2, 2, 2, 5), member("b", 20, 9, 1, 1, 6));
        Plan p = a.plan(spec, members, quotas, 0);
        Write wb = find(p.writes(), "b");
        assertThat(wb == null ? 1 : wb.grant()).as("b may only have 10 − 8").isLessThanOrEqualTo(2);
        // Acknowledged (seen 9) and holding 2: now b may grow.
        p = a.plan(spec, List.of(member("a", 10, 2, 2, 2, 9), member("b", 20, 9, 1, 1, 6)), quotas, 100 * MS);
        assertThat(find(p.writes(), "b").grant()).isEqualTo(8);
    }

    @Test
    void departedMemberKeepsItsShareForTheGraceThenItsSlotOnly() {
        BudgetSpec spec = BudgetSpec.of(12, 2, 1, 2, 3000, false);
        BudgetAllocator a = new BudgetAllocator();
        List<Quota> quotas = List.of(new Quota("a", 10, 8, 8, 5));
        Plan p = a.plan(spec, List.of(member("b", 20, 9, 1, 1, 0)), quotas, 0);
        assertThat(p.departed()).isEqualTo(1);
        assertThat(find(p.writes(), "b").grant()).isEqualTo(2);
        quotas = List.of(new Quota("a", 10, 8, 8, 5), new Quota("b", 20, 2, 2, 6));
        List<Member> bOnly = List.of(member("b", 20, 9, 2, 2, 6));
        p = a.plan(spec, bOnly, quotas, 2_999 * MS);
        assertThat(p.deletes()).isEmpty();
        assertThat(p.writes()).isEmpty();
        p = a.plan(spec, bOnly, quotas, 3_000 * MS);
        assertThat(p.deletes()).extracting(BudgetAllocator.Delete::id).containsExactly("a");
        assertThat(p.writes()).as("nothing is raised into a quota in the tick that deletes it").isEmpty();
        p = a.plan(spec, bOnly, List.of(new Quota("b", 20, 2, 2, 6)), 3_100 * MS);
        assertThat(find(p.writes(), "b").grant()).isEqualTo(9);
    }

    @Test
    void theDatabaseCapsTheBudgetAndARefusalFreezesIt() {
        BudgetSpec spec = BudgetSpec.of(20, 2, 1, 2, 3000, true);
        BudgetAllocator a = new BudgetAllocator();
        // The server allows 12 and 4 sessions are not ours: 12 − 2 − 4 = 6 for the budget.
        Member m = new Member("a", 10, 5, 30, 3, 3, 0, 7, 12, 0);
        Plan p = a.plan(spec, List.of(m), List.of(), 0);
        assertThat(p.capacity()).isEqualTo(6);
        assertThat(find(p.writes(), "a").grant()).isEqualTo(5);
        Member refused = new Member("a", 10, 5, 30, 3, 3, 0, -1, -1, 1);
        a.plan(spec, List.of(new Member("a", 10, 5, 30, 3, 3, 0, -1, -1, 0)), List.of(), 0);
        p = a.plan(spec, List.of(refused), List.of(), 100 * MS);
        assertThat(p.capacity()).isEqualTo(p.reserved());
    }

    /**
     * Members that apply quotas late, report stale figures, drain slowly, crash, pause past their lease and come
     * back, under an allocator that fails over: at every step the sum of what every process may hold stays within
     * the budget.
     */
    @Test
    void randomScheduleNeverOverCommits() {
        for (long seed = 1; seed <= 40; seed++) {
            simulate(seed);
        }
    }

    private void simulate(long seed) {
        Random rnd = new Random(seed);
        BudgetSpec spec = BudgetSpec.of(20, 2, 1, 8, 3000, false);
        long ttl = 3_000 * MS;
        long margin = 1_000 * MS;
        long step = 50 * MS;
        Etcd etcd = new Etcd();
        List<Proc> procs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            procs.add(new Proc("p" + i, rnd.nextInt(10), etcd, 0));
        }
        BudgetAllocator allocator = new BudgetAllocator();
        int maxSeen = 0;
        for (long now = 0; now < 60_000 * MS; now += step) {
            if (rnd.nextInt(400) == 0) {
                allocator = new BudgetAllocator(); // fail-over: the new allocator remembers nothing
            }
            if (now % (250 * MS) == 0) {
                Plan p = allocator.plan(spec, etcd.members(), new ArrayList<>(etcd.quotas.values()), now);
                etcd.apply(p);
            }
            for (Proc pr : procs) {
                pr.step(rnd, now, ttl, margin, spec.floorPerInstance());
            }
            etcd.expire(now, ttl);
            // Keep at most max_instances processes; crash or pause one now and then.
            if (rnd.nextInt(200) == 0) {
                Proc victim = procs.get(rnd.nextInt(procs.size()));
                if (rnd.nextBoolean()) {
                    victim.crashed = true;
                } else if (victim.pausedUntil < now) {
                    // Paused past its lease but back before the grace ends (leases are not mutual exclusion).
                    victim.pausedUntil = now + ttl + rnd.nextInt(1500) * MS;
                }
            }
            procs.removeIf(p -> p.crashed);
            while (procs.size() < 6) {
                procs.add(new Proc("n" + seed + "-" + now + "-" + procs.size(), rnd.nextInt(10), etcd, now));
            }
            int sum = 0;
            for (Proc pr : procs) {
                sum += pr.possible(now, spec.floorPerInstance());
            }
            maxSeen = Math.max(maxSeen, sum);
            assertThat(sum).as("seed %d at %d ms", seed, now / MS).isLessThanOrEqualTo(spec.available());
        }
        assertThat(maxSeen).as("seed %d reaches the budget", seed).isGreaterThan(12);
    }

    /** etcd as the allocator sees it: keys with revisions, leases as last-renewal times. */
    static final class Etcd {
        long revision = 1;
        final Map<String, Member> members = new TreeMap<>();
        final Map<String, Long> renewed = new TreeMap<>();
        final Map<String, Quota> quotas = new TreeMap<>();

        List<Member> members() {
            return new ArrayList<>(members.values());
        }

        void apply(Plan p) {
            for (Write w : p.writes()) {
                Quota q = quotas.get(w.id());
                Member m = members.get(w.id());
                long expected = q == null ? 0 : q.modRevision();
                if (expected == w.expectedModRevision() && m != null && m.createRevision() == w.memberRevision()) {
                    quotas.put(w.id(), new Quota(w.id(), w.memberRevision(), w.grant(), w.bound(), ++revision));
                }
            }
            for (BudgetAllocator.Delete d : p.deletes()) {
                Quota q = quotas.get(d.id());
                if (q != null && q.modRevision() == d.expectedModRevision()) {
                    quotas.remove(d.id());
                }
            }
        }

        void expire(long now, long ttl) {
            for (var it = renewed.entrySet().iterator(); it.hasNext();) {
                var e = it.next();
                if (now - e.getValue() >= ttl) {
                    members.remove(e.getKey());
                    it.remove();
                }
            }
        }
    }

    /** One process's claim: applies quotas and reports late, drains slowly, may pause. */
    static final class Proc {
        final String base;
        final int priority;
        final Etcd etcd;
        String id;
        long createRev;
        int incarnation;
        int applied = -1;
        long seen;
        int held;
        int demand;
        long lastRenewSent;
        long pausedUntil = -1;
        boolean crashed;
        boolean registered;

        Proc(String base, int priority, Etcd etcd, long now) {
            this.base = base;
            this.priority = priority;
            this.etcd = etcd;
            this.demand = 8;
            register(now);
        }

        void register(long now) {
            id = base + "." + (incarnation++);
            createRev = ++etcd.revision;
            etcd.members.put(id, new Member(id, createRev, priority, demand, held, 1, 0, -1, -1, 0));
            etcd.renewed.put(id, now);
            lastRenewSent = now;
            applied = -1;
            seen = 0;
            registered = true;
        }

        int grant(long now, long ttl, long margin, int floor) {
            boolean valid = now < lastRenewSent + ttl - margin;
            return valid && applied >= 0 ? applied : floor;
        }

        int possible(long now, int floor) {
            if (now < pausedUntil) {
                // Frozen: it can open nothing; its connections stay open.
                return Math.max(held, applied < 0 ? floor : applied);
            }
            return Math.max(held, grant(now, 3_000 * MS, 1_000 * MS, floor));
        }

        void step(Random rnd, long now, long ttl, long margin, int floor) {
            if (now < pausedUntil) {
                return;
            }
            if (!etcd.members.containsKey(id) && registered) {
                // Lease gone (paused past it): the grant fell to the floor at the local deadline; come back anew.
                registered = false;
            }
            int g = grant(now, ttl, margin, floor);
            // The pool grows within its grant and shrinks towards it as connections come back.
            int want = Math.min(demand, g);
            if (held < want) {
                held = Math.min(want, held + 1 + rnd.nextInt(3));
            } else if (held > g && rnd.nextInt(3) == 0) {
                held = Math.max(g, held - 1 - rnd.nextInt(3));
            }
            if (rnd.nextInt(15) == 0) {
                demand = rnd.nextInt(12);
            }
            if (!registered) {
                if (rnd.nextInt(4) == 0) {
                    register(now);
                }
                return;
            }
            if (rnd.nextInt(3) == 0) {
                etcd.renewed.put(id, now);
                lastRenewSent = now;
            }
            // Applies its quota late (a watch event may take a while).
            Quota q = etcd.quotas.get(id);
            if (q != null && q.memberRevision() == createRev && q.modRevision() > seen && rnd.nextInt(3) == 0) {
                applied = q.grant();
                seen = q.modRevision();
            }
            // Reports a snapshot now or not at all this step.
            if (rnd.nextInt(4) == 0) {
                Member m = etcd.members.get(id);
                etcd.members.put(id, new Member(id, m.createRevision(), priority, demand, held,
                        grant(now, ttl, margin, floor), seen, -1, -1, 0));
            }
        }
    }

    private static Member member(String id, long rev, int demand, int held, int grant, long seen) {
        return new Member(id, rev, 5, demand, held, grant, seen, -1, -1, 0);
    }

    private static Write find(List<Write> writes, String id) {
        for (Write w : writes) {
            if (w.id().equals(id)) {
                return w;
            }
        }
        return null;
    }
}
