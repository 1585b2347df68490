package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.Instrumentation;
import dev.pooled.jdbc.PooledDataSource;
import io.etcd.jetcd.Client;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Credential rotation under load against a real scram-sha-256 role: the password is changed with ALTER ROLE, the
 * password file replaced, and the pool rolls every physical connection (first on a new rotation generation in the
 * record, then on the file change alone) with zero failed requests.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CredentialRotationIT {
    private static final String ROLE = "pooled_rotator";
    private PrivatePostgres pg;
    private String ns;
    private EtcdSettings etcd;
    private Client client;
    private PooledDataSource ds;
    private Path secret;

    @BeforeEach
    void setUp() throws Exception {
        pg = new PrivatePostgres(ROLE);
        try (Connection c = DriverManager.getConnection(pg.url("postgres"), "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + ROLE + " LOGIN PASSWORD 'first-secret-1'");
        }
        secret = pg.dir().resolve("db-password");
        Files.writeString(secret, "first-secret-1\n");
        ns = EtcdTesting.freshNamespace();
        etcd = EtcdTesting.settings(ns);
        client = etcd.newClient();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (ds != null) {
            ds.close();
        }
        EtcdTesting.wipe(client, ns);
        client.close();
        pg.close();
    }

    private Set<Integer> rolePids() throws Exception {
        Set<Integer> pids = new HashSet<>();
        try (Connection c = DriverManager.getConnection(pg.url("postgres"), "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select pid from pg_stat_activity where usename = '" + ROLE + "'"
                        // the database sampler's own session is not the pool's: it is not rolled
                        + " and application_name <> 'pooled-sampler'")) {
            while (rs.next()) {
                pids.add(rs.getInt(1));
            }
        }
        return pids;
    }

    private void alterPassword(String pw) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.url("postgres"), "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + ROLE + " PASSWORD '" + pw + "'");
        }
        // Replace the file whole, as secret managers do: a reader never sees half a password.
        Path tmp = Files.writeString(secret.resolveSibling("db-password.tmp"), pw + "\n");
        Files.move(tmp, secret, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void awaitRolled(Set<Integer> before) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Set<Integer> now = rolePids();
            return now.size() == 4 && now.stream().noneMatch(before::contains);
        });
    }

    @Test
    void rollsEveryConnectionWithNoFailedRequest() throws Exception {
        String key = etcd.keys().config("rotation", "app");
        EtcdTesting.put(client, key, "{\"password_ref\": \"file:" + secret + "\", \"rotation\": 1}");
        // No password in the URL or properties: the record names where it is.
        ds = Pg.pool(pg.url("postgres"), ROLE, null, etcd, "rotation-1", "h4-rotation",
                Map.of("service", "rotation", "db_role", "app", "max_connections", "4", "sizing", "fixed",
                        "timeout_ms", "10000"),
                Instrumentation.builder().jmx(false).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> rolePids().size() == 4);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        ExecutorService load = Executors.newFixedThreadPool(6);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            workers.add(load.submit(() -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(200);
                while (!stop.get() && System.nanoTime() < end) {
                    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery("select pg_sleep(0.002), 1")) {
                        rs.next();
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }
            }));
        }
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() > 100);
            // 1. A new rotation generation in the record.
            Set<Integer> before = rolePids();
            alterPassword("second-secret-2");
            EtcdTesting.put(client, key, "{\"password_ref\": \"file:" + secret + "\", \"rotation\": 2}");
            awaitRolled(before);
            int afterFirst = ok.get();

            // 2. The password file changes alone (a secret manager rotated it): the pool notices and rolls.
            before = rolePids();
            alterPassword("third-secret-3");
            awaitRolled(before);
            await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() > afterFirst + 100);
        } finally {
            stop.set(true);
            for (Future<?> w : workers) {
                w.get(30, TimeUnit.SECONDS);
            }
            load.shutdown();
        }
        assertThat(failures).as("requests failed during the rotations").isEmpty();
        assertThat(ok.get()).isGreaterThan(300);
    }
}
