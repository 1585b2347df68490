package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionBudget;
import dev.pooled.etcd.internal.BudgetCodec;
import dev.pooled.etcd.internal.BudgetSpec;
import dev.pooled.etcd.internal.EtcdBudget;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** In-process members on the shared etcd (a fresh namespace per test): priority, convergence at scale, writes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EtcdBudgetIT {
    private String ns;
    private EtcdSettings settings;
    private Client client;
    private final List<EtcdBudgetSource> sources = new ArrayList<>();

    @BeforeEach
    void setUp() {
        ns = EtcdTesting.freshNamespace();
        settings = EtcdSettings.builder().endpoints(EtcdTesting.ENDPOINT).namespace(ns)
                .timeout(Duration.ofSeconds(2)).leaseTtl(Duration.ofSeconds(5)).build();
        client = settings.newClient();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (EtcdBudgetSource s : sources) {
            s.close();
        }
        EtcdTesting.wipe(client, ns);
        client.close();
    }

    private EtcdBudgetSource source(String id) {
        EtcdBudgetSource s = EtcdBudgetSource.start(settings, new InstanceId(id));
        sources.add(s);
        return s;
    }

    private void record(String budget, BudgetSpec spec) throws Exception {
        EtcdTesting.put(client, settings.keys().budgetPrefix(budget) + "record", BudgetCodec.writeRecord(spec));
    }

    /** A pool as the budget sees it: demand, and holdings that follow the grant at once. */
    static final class SimPool {
        final ConnectionBudget.Claim claim;
        volatile int demand;
        int held;

        SimPool(ConnectionBudget.Claim claim, int demand) {
            this.claim = claim;
            this.demand = demand;
        }

        int step() {
            int g = claim.update(demand, held);
            held = Math.min(demand, g);
            return g;
        }
    }

    @Test
    void theHighPriorityServiceGetsItsDemandFirst() throws Exception {
        record("orders-db", BudgetSpec.of(12, 2, 1, 2, 3000, false));
        SimPool hi = new SimPool(source("it-a").budget("orders-db", 0).claim("checkout/app", 9), 10);
        SimPool lo = new SimPool(source("it-b").budget("orders-db", 0).claim("reports/app", 1), 10);
        AtomicInteger maxSum = new AtomicInteger();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            int a = hi.step();
            int b = lo.step();
            maxSum.accumulateAndGet(Math.max(a, hi.held) + Math.max(b, lo.held), Math::max);
            return a == 9 && b == 1;
        });
        hi.demand = 3;
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            int a = hi.step();
            int b = lo.step();
            maxSum.accumulateAndGet(Math.max(a, hi.held) + Math.max(b, lo.held), Math::max);
            return a == 3 && b == 7;
        });
        assertThat(maxSum.get()).isLessThanOrEqualTo(10);
        // The high one leaves (its pool closed): its share is free at once, whichever process was allocating.
        hi.claim.close();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> lo.step() == 9);
    }

    /**
     * 200 members (10 sources of 20 pools) converge to the split {@code BudgetAllocation} computes within 5 s of a
     * change of demand, and write about nothing while demand stands still.
     */
    @Test
    void twoHundredMembersConvergeAndStayQuiet() throws Exception {
        // The default TTL (10 s): ten leases renewed over one channel must survive a machine loaded far beyond its
        // cores; a lost lease would re-register its 20 members and measure recovery instead of convergence.
        settings = EtcdSettings.builder().endpoints(EtcdTesting.ENDPOINT).namespace(ns)
                .timeout(Duration.ofSeconds(3)).leaseTtl(Duration.ofSeconds(10)).build();
        int groups = 10;
        int perGroup = 20;
        BudgetSpec spec = BudgetSpec.of(700, 100, 1, 200, 3000, false);
        record("big-db", spec);
        Random rnd = new Random(12);
        List<SimPool> pools = new ArrayList<>();
        List<EtcdBudget> budgets = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            EtcdBudgetSource src = source("sim-" + g);
            if (g == 0) {
                // Warm the shared channel (and the JIT) with one lease before nine more arrive at once.
                await().atMost(Duration.ofSeconds(30)).until(() -> src.leaseState().equals("live"));
            }
            EtcdBudget b = (EtcdBudget) src.budget("big-db", 0);
            budgets.add(b);
            for (int i = 0; i < perGroup; i++) {
                pools.add(new SimPool(b.claim("svc" + g + "/role" + i, 5), 1 + rnd.nextInt(5)));
            }
        }
        // Σ demand ≤ 1000 > 600 available: contention everywhere.
        long t0 = System.nanoTime();
        awaitConverged(pools, spec, 60);
        double firstMs = (System.nanoTime() - t0) / 1e6;

        long writes0 = writes(budgets);
        long q0 = System.nanoTime();
        stepFor(pools, Duration.ofSeconds(5));
        double steadyPerMember = (writes(budgets) - writes0) / ((System.nanoTime() - q0) / 1e9) / pools.size();

        for (int i = 0; i < pools.size(); i += 2) {
            pools.get(i).demand = 1 + rnd.nextInt(8);
        }
        long writes1 = writes(budgets);
        long c0 = System.nanoTime();
        awaitConverged(pools, spec, 30);
        double changeMs = (System.nanoTime() - c0) / 1e6;
        double changeWrites = writes(budgets) - writes1;
        System.out.printf("budget scale: 200 members: first allocation %.0f ms; after half changed demand %.0f ms,"
                + " %.0f writes; steady state %.3f writes/s per member%n", firstMs, changeMs, changeWrites,
                steadyPerMember);
        // The target is 5 s (docs/benchmarks.md records the figure); the bound here must also hold on a machine
        // whose load is many times its cores, where one lost lease costs a TTL and a grace.
        assertThat(changeMs).isLessThan(30_000);
        assertThat(steadyPerMember).isLessThan(1.0);
    }

    private static long writes(List<EtcdBudget> budgets) {
        long w = 0;
        for (EtcdBudget b : budgets) {
            w += b.writes();
        }
        return w;
    }

    private static void stepFor(List<SimPool> pools, Duration d) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() - end < 0) {
            int sum = 0;
            for (SimPool p : pools) {
                sum += Math.max(p.step(), p.held);
            }
            assertThat(sum).isLessThanOrEqualTo(600);
            Thread.sleep(100);
        }
    }

    private static void awaitConverged(List<SimPool> pools, BudgetSpec spec, int seconds) {
        int n = pools.size();
        await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(100)).until(() -> {
            int[] prio = new int[n];
            int[] want = new int[n];
            int sum = 0;
            boolean all = true;
            for (int i = 0; i < n; i++) {
                SimPool p = pools.get(i);
                prio[i] = 5;
                want[i] = Math.max(0, p.demand - spec.floorPerInstance());
            }
            int[] extra = dev.pooled.etcd.internal.BudgetTestAccess.extra(
                    spec.available() - spec.floorPerInstance() * spec.maxInstances(), prio, want);
            int grants = 0;
            int targets = 0;
            for (int i = 0; i < n; i++) {
                SimPool p = pools.get(i);
                int g = p.step();
                sum += Math.max(g, p.held);
                grants += g;
                targets += spec.floorPerInstance() + extra[i];
                // Rounding remainders go by etcd key order, which is not this list's order: within one.
                all &= Math.abs(g - spec.floorPerInstance() - extra[i]) <= 1;
            }
            assertThat(sum).isLessThanOrEqualTo(spec.available());
            return all && grants == targets;
        });
    }
}
