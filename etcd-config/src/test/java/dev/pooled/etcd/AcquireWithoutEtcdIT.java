package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.Instrumentation;
import dev.pooled.jdbc.PooledDataSource;
import io.etcd.jetcd.Client;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * etcd is not on the acquire path: the p99 acquire time of a running pool while its etcd is stopped for 10 s is
 * compared with 10 s while etcd runs. Both figures are printed (docs/etcd.md quotes a run).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AcquireWithoutEtcdIT {
    private static final int THREADS = 4;

    @Test
    void p99AcquireDoesNotDependOnEtcd() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (PrivateEtcd server = new PrivateEtcd()) {
            EtcdSettings etcd = EtcdSettings.builder().endpoints(server.endpoint()).timeout(Duration.ofSeconds(2))
                    .build();
            long v;
            try (Client c = etcd.newClient()) {
                v = EtcdTesting.put(c, etcd.keys().config("p99-" + run, "app"), "{\"max_connections\": 8}");
            }
            try (PooledDataSource ds = Pg.pool(Pg.URL, Pg.USER, null, etcd, "p99-1", "h4-p99-" + run,
                    Map.of("service", "p99-" + run, "db_role", "app", "max_connections", "10", "sizing", "fixed"),
                    Instrumentation.builder().jmx(false).build())) {
                assertThat(ds.stats().configVersion()).isEqualTo(v);
                await().atMost(Duration.ofSeconds(30)).until(() -> ds.stats().idle() == 8);
                measure(ds, Duration.ofSeconds(5));
                double up = measure(ds, Duration.ofSeconds(10));
                server.stop();
                double down = measure(ds, Duration.ofSeconds(10));
                server.start();
                double upAgain = measure(ds, Duration.ofSeconds(10));
                System.out.printf("p99 acquire (getConnection+close, %d threads, 8 connections): etcd up %.1f us,"
                        + " etcd stopped %.1f us, etcd up again %.1f us%n", THREADS, up, down, upAgain);
                // Same path either way; the bound only absorbs the noise of a loaded two-core machine.
                double withEtcd = Math.max(up, upAgain);
                assertThat(down).isLessThanOrEqualTo(Math.max(3 * withEtcd, withEtcd + 2_000));
                assertThat(ds.stats().configVersion()).isEqualTo(v);
            }
        }
    }

    /** @return the p99 of getConnection()+close() in microseconds over {@code window}, {@value #THREADS} threads */
    private static double measure(PooledDataSource ds, Duration window) throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(THREADS);
        List<Future<long[]>> parts = new ArrayList<>();
        long end = System.nanoTime() + window.toNanos();
        for (int t = 0; t < THREADS; t++) {
            parts.add(ex.submit(() -> {
                long[] samples = new long[2_000_000];
                int n = 0;
                while (System.nanoTime() < end && n < samples.length) {
                    long t0 = System.nanoTime();
                    try (Connection c = ds.getConnection()) {
                        samples[n++] = System.nanoTime() - t0;
                    }
                    Thread.onSpinWait();
                }
                return Arrays.copyOf(samples, n);
            }));
        }
        List<long[]> all = new ArrayList<>();
        int total = 0;
        for (Future<long[]> f : parts) {
            long[] s = f.get(window.toSeconds() + 30, TimeUnit.SECONDS);
            all.add(s);
            total += s.length;
        }
        ex.shutdown();
        long[] merged = new long[total];
        int i = 0;
        for (long[] s : all) {
            System.arraycopy(s, 0, merged, i, s.length);
            i += s.length;
        }
        Arrays.sort(merged);
        assertThat(merged.length).isGreaterThan(1_000);
        return merged[(int) (merged.length * 0.99)] / 1_000.0;
    }
}
