package dev.pooled.etcd;

import dev.pooled.ConnectionPool;
import dev.pooled.Instrumentation;
import dev.pooled.PoolConfig;
import dev.pooled.etcd.internal.EtcdBudget;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One instance of a service on a global budget, as its own JVM, for {@link GlobalBudgetIT}: a pool against
 * PostgreSQL under load that wants more than its share. Prints {@code G <grant now> <ops> <lease state> <allocator>}
 * every 100 ms; exits when stdin closes or after the time limit, so that a lost test never leaves it running.
 *
 * <p>Arguments: etcd endpoint, namespace, budget, instance id, database user, threads, lease TTL seconds, seconds
 * to live.
 */
public final class BudgetHarness {
    private BudgetHarness() {
    }

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        String namespace = args[1];
        String budget = args[2];
        String instance = args[3];
        String user = args[4];
        int threads = Integer.parseInt(args[5]);
        long ttl = Long.parseLong(args[6]);
        long lifeMillis = Long.parseLong(args[7]) * 1000;
        EtcdSettings settings = EtcdSettings.builder().endpoints(endpoint).namespace(namespace)
                .timeout(Duration.ofMillis(1500)).leaseTtl(Duration.ofSeconds(ttl)).build();
        EtcdBudgetSource source = EtcdBudgetSource.start(settings, new InstanceId(instance));
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://127.0.0.1:5432/test");
        ds.setUser(user);
        ds.setApplicationName(user);
        PoolConfig config = PoolConfig.builder().service("harness-" + instance).dbRole(user).maxConnections(10)
                .maxQueue(100).timeout(Duration.ofSeconds(2)).budget(budget).budgetMax(20).build();
        ConnectionPool pool = ConnectionPool.start(config, ds, Instrumentation.builder().jmx(false).build(), source);
        EtcdBudget b = source.budgets().get(0);
        AtomicLong ops = new AtomicLong();
        long end = System.currentTimeMillis() + lifeMillis;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (System.currentTimeMillis() < end) {
                    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                        s.execute("select pg_sleep(0.05)");
                        ops.incrementAndGet();
                    } catch (Exception e) {
                        // Shed or timed out: the budget is doing its job; try again.
                    }
                }
            }, "load-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // The test holds our stdin open; its end means the test is gone.
                }
            } catch (Exception e) {
                // Same: exit.
            }
            System.exit(0);
        }, "stdin");
        stdin.setDaemon(true);
        stdin.start();
        while (System.currentTimeMillis() < end) {
            int g = b.claims().isEmpty() ? -1 : b.claims().get(0).grantNow();
            System.out.println("G " + g + " " + ops.get() + " " + source.leaseState() + " " + b.allocator());
            System.out.flush();
            Thread.sleep(100);
        }
        pool.close(Duration.ofSeconds(1));
        source.close();
        System.exit(0);
    }
}
