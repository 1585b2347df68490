package dev.pooled.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pooled.ConnectionPool;
import dev.pooled.jdbc.PooledDataSource;
import dev.pooled.jdbc.PooledDriver;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.HdrHistogram.Histogram;

/**
 * Load against a real PostgreSQL: N threads each loop {@code t0; borrow; t1; SELECT 1; close; t2} for a warm-up, then
 * for a measured time. Acquire latency ({@code t1 - t0}) and the whole operation ({@code t2 - t0}) go into one
 * HdrHistogram per thread, merged at the end; one {@code RESULT} line per run. Every loop is bounded by time and the
 * program exits by itself.
 *
 * <pre>
 * --mode     acquire (default) | connect-per-txn
 * --target   acquire: hikari | hikari-pgbouncer | pooled | pooled-ds;  connect-per-txn: plain | pgbouncer | pooled
 * --threads  N (default 8)          --warmup S (default 5)   --measure S (default 15)   seconds, decimals allowed
 * --host 127.0.0.1 --port 5432 --db test --user postgres --pool-size 10 --bouncer-port 6432
 * --work       select1 (default) | mix: 3 of 4 ops SELECT a row by key, 1 of 4 UPDATE it (auto-commit), on
 *              table pooled_bench_mix (1000 rows, made if missing); every URL gets prepareThreshold=0, since
 *              PgBouncer's transaction pooling cannot keep named server-side statements
 * --pool-mode  session (default) | transaction: pooled.mode of the pooled targets
 * --rate       0 (default: closed loop, every thread as fast as it can) | R: open loop, R ops/s over all threads,
 *              each thread on its own schedule, missed slots skipped (not replayed)
 * --max-queue  pooled.max_queue (default max(1000, threads))   --timeout-ms  pooled.timeout_ms and HikariCP's
 *              connectionTimeout (default 30000)
 * --label      free text copied into the RESULT line
 * </pre>
 *
 * <p>Failed ops (rejections, timeouts) are timed too, from the borrow to the exception: {@code rej_*} in RESULT.
 *
 * <ul>
 *   <li>acquire/hikari: a {@link HikariDataSource} over {@code jdbc:postgresql:}, maximumPoolSize = pool size,
 *       fixed (minimumIdle defaults to the maximum); each op borrows with {@code getConnection()}.
 *   <li>acquire/pooled: {@code DriverManager.getConnection("jdbc:pooled:postgresql:...")} with max_connections =
 *       pool size, max_queue = max(1000, threads), timeout_ms 30000.
 *   <li>acquire/pooled-ds (diagnostic): a {@link PooledDataSource} with the same settings, borrowed with
 *       {@code getConnection()} like HikariCP; the difference to {@code pooled} is what {@link DriverManager} costs.
 *   <li>connect-per-txn: every op is {@code DriverManager.getConnection(url)}; plain opens a new PostgreSQL session
 *       each time, pooled borrows from the pool the URL names.
 * </ul>
 *
 * Both pooled targets wait for the pool to hold all its physical connections before the warm-up starts (HikariCP
 * too), so no measured op pays for opening one.
 *
 * <p>Exit status: 0 when the run completed (errors are reported, not fatal), 2 for bad arguments, 3 when the
 * database cannot be reached.
 */
public final class LoadBench {
    private static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int PHASE_WARMUP = 0;
    private static final int PHASE_MEASURE = 1;
    private static final int PHASE_STOP = 2;

    private static volatile int phase = PHASE_WARMUP;
    private static String work = "select1";
    private static double rate;
    private static int threadCount;
    private static int timeoutMs = 30000;
    private static String bouncerHostPortDb;
    private static String urlExtra = "";
    static final int MIX_ROWS = 1000;

    private LoadBench() {
    }

    /** Hands out a connection for one op. */
    interface Source {
        Connection get() throws SQLException;
    }

    /** What the target under test looks like from the outside while it runs. */
    static final class Target implements AutoCloseable {
        final Source source;
        final IntSupplier physical;
        final IntSupplier waiting;
        final AutoCloseable closer;

        Target(Source source, IntSupplier physical, IntSupplier waiting, AutoCloseable closer) {
            this.source = source;
            this.physical = physical;
            this.waiting = waiting;
            this.closer = closer;
        }

        @Override
        public void close() throws Exception {
            closer.close();
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("LoadBench: " + e.getMessage());
            System.exit(2);
            return;
        }
        String mode = o.get("mode");
        String targetName = o.get("target");
        int threads = Integer.parseInt(o.get("threads"));
        double warmupS = Double.parseDouble(o.get("warmup"));
        double measureS = Double.parseDouble(o.get("measure"));
        int poolSize = Integer.parseInt(o.get("pool-size"));
        String hostPortDb = o.get("host") + ":" + o.get("port") + "/" + o.get("db");
        String user = o.get("user");
        work = o.get("work");
        rate = Double.parseDouble(o.get("rate"));
        threadCount = threads;
        String maxQueue = o.get("max-queue").isEmpty() ? Integer.toString(Math.max(1000, threads)) : o.get("max-queue");
        timeoutMs = Integer.parseInt(o.get("timeout-ms"));
        bouncerHostPortDb = o.get("host") + ":" + o.get("bouncer-port") + "/" + o.get("db");
        String extra = work.equals("mix") ? "&prepareThreshold=0" : "";
        urlExtra = extra;
        String pooledUrl = "jdbc:pooled:postgresql://" + hostPortDb + "?user=" + user + extra
                + "&pooled.max_connections=" + poolSize + "&pooled.max_queue=" + maxQueue
                + "&pooled.timeout_ms=" + timeoutMs + "&pooled.service=bench&pooled.mode=" + o.get("pool-mode");
        if (work.equals("mix")) {
            try {
                prepareMix("jdbc:postgresql://" + hostPortDb + "?user=" + user);
            } catch (SQLException e) {
                System.err.println("LoadBench: cannot prepare table pooled_bench_mix: " + e);
                System.exit(3);
                return;
            }
        }

        Target target;
        try {
            target = open(mode, targetName, hostPortDb, user, pooledUrl, poolSize, threads);
        } catch (SQLException e) {
            System.err.println("LoadBench: cannot reach PostgreSQL at " + hostPortDb + " as " + user + ": " + e);
            System.exit(3);
            return;
        }

        long fillStart = System.nanoTime();
        boolean pooledTarget = target.physical != null;
        if (pooledTarget) {
            long deadline = fillStart + TimeUnit.SECONDS.toNanos(20);
            while (target.physical.getAsInt() < poolSize && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
            }
        }
        long fillMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fillStart);
        int filled = pooledTarget ? target.physical.getAsInt() : -1;
        if (pooledTarget && filled < poolSize) {
            System.err.println("WARNING " + targetName + ": pool holds " + filled + " of " + poolSize
                    + " physical connections after " + fillMs + " ms; running anyway");
        }

        List<Worker> workers = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            Worker w = new Worker(target.source, "load-" + i);
            workers.add(w);
        }
        for (Worker w : workers) {
            w.start();
        }
        sleepSeconds(warmupS);
        phase = PHASE_MEASURE;
        long start = System.nanoTime();
        long end = start + (long) (measureS * 1e9);
        // Sample the wait queue while measuring (main thread only; costs the workers nothing).
        long samples = 0;
        long waitingSum = 0;
        int waitingMax = 0;
        int physicalMin = Integer.MAX_VALUE;
        while (System.nanoTime() - end < 0) {
            Thread.sleep(10);
            if (target.waiting != null) {
                int q = target.waiting.getAsInt();
                waitingSum += q;
                waitingMax = Math.max(waitingMax, q);
                samples++;
            }
            if (pooledTarget) {
                physicalMin = Math.min(physicalMin, target.physical.getAsInt());
            }
        }
        phase = PHASE_STOP;
        long stopped = System.nanoTime();
        long joinDeadline = stopped + TimeUnit.SECONDS.toNanos(40); // a waiter gives up after timeout_ms = 30 s
        boolean allJoined = true;
        for (Worker w : workers) {
            long left = joinDeadline - System.nanoTime();
            if (left > 0) {
                w.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            allJoined &= !w.isAlive();
        }
        int physicalEnd = pooledTarget ? target.physical.getAsInt() : -1;

        Histogram acquire = new Histogram(HIGHEST_NANOS, 3);
        Histogram op = new Histogram(HIGHEST_NANOS, 3);
        Histogram rejected = new Histogram(HIGHEST_NANOS, 3);
        long errors = 0;
        long warmupErrors = 0;
        long warmupOps = 0;
        for (Worker w : workers) {
            acquire.add(w.acquire);
            op.add(w.op);
            rejected.add(w.rejected);
            errors += w.errors;
            warmupErrors += w.warmupErrors;
            warmupOps += w.warmupOps;
        }
        double secs = (stopped - start) / 1e9;
        long ops = op.getTotalCount();
        StringBuilder r = new StringBuilder("RESULT");
        kv(r, "mode", mode);
        kv(r, "target", targetName);
        kv(r, "threads", threads);
        kv(r, "pool_size", poolSize);
        kv(r, "secs", fmt(secs));
        kv(r, "ops", ops);
        kv(r, "tput_ops_s", String.format(Locale.ROOT, "%.0f", ops / secs));
        kv(r, "acq_p50_us", us(acquire.getValueAtPercentile(50)));
        kv(r, "acq_p90_us", us(acquire.getValueAtPercentile(90)));
        kv(r, "acq_p99_us", us(acquire.getValueAtPercentile(99)));
        kv(r, "acq_p999_us", us(acquire.getValueAtPercentile(99.9)));
        kv(r, "acq_max_us", us(acquire.getMaxValue()));
        kv(r, "acq_mean_us", fmt(acquire.getMean() / 1e3));
        kv(r, "op_p50_us", us(op.getValueAtPercentile(50)));
        kv(r, "op_p99_us", us(op.getValueAtPercentile(99)));
        kv(r, "op_p999_us", us(op.getValueAtPercentile(99.9)));
        kv(r, "op_max_us", us(op.getMaxValue()));
        kv(r, "op_mean_us", fmt(op.getMean() / 1e3));
        kv(r, "errors", errors);
        kv(r, "rej_p50_us", rejected.getTotalCount() == 0 ? "-" : us(rejected.getValueAtPercentile(50)));
        kv(r, "rej_p99_us", rejected.getTotalCount() == 0 ? "-" : us(rejected.getValueAtPercentile(99)));
        kv(r, "rej_max_us", rejected.getTotalCount() == 0 ? "-" : us(rejected.getMaxValue()));
        kv(r, "work", work);
        kv(r, "pool_mode", o.get("pool-mode"));
        kv(r, "rate", o.get("rate"));
        kv(r, "timeout_ms", timeoutMs);
        kv(r, "label", o.get("label").isEmpty() ? "-" : o.get("label"));
        kv(r, "warmup_ops", warmupOps);
        kv(r, "warmup_errors", warmupErrors);
        kv(r, "fill_ms", pooledTarget ? Long.toString(fillMs) : "-");
        kv(r, "physical_start", pooledTarget ? Integer.toString(filled) : "-");
        kv(r, "physical_min", pooledTarget ? Integer.toString(physicalMin) : "-");
        kv(r, "physical_end", pooledTarget ? Integer.toString(physicalEnd) : "-");
        kv(r, "waiting_mean", samples == 0 ? "-" : fmt((double) waitingSum / samples));
        kv(r, "waiting_max", samples == 0 ? "-" : Integer.toString(waitingMax));
        kv(r, "joined", allJoined);
        System.out.println(r);
        Worker.printErrorSamples();
        System.out.flush();

        Thread closer = new Thread(() -> {
            try {
                target.close();
            } catch (Exception e) {
                System.err.println("LoadBench: closing " + targetName + " failed: " + e);
            }
        }, "load-closer");
        closer.setDaemon(true);
        closer.start();
        closer.join(15_000);
        System.exit(0);
    }

    private static Target open(String mode, String target, String hostPortDb, String user, String pooledUrl,
            int poolSize, int threads) throws SQLException {
        String plainUrl = "jdbc:postgresql://" + (target.equals("pgbouncer") ? bouncerHostPortDb : hostPortDb) + "?user="
                + user + urlExtra;
        if (mode.equals("acquire") && (target.equals("hikari") || target.equals("hikari-pgbouncer"))) {
            HikariConfig c = new HikariConfig();
            c.setPoolName("load-hikari");
            c.setJdbcUrl("jdbc:postgresql://" + (target.equals("hikari") ? hostPortDb : bouncerHostPortDb)
                    + (urlExtra.isEmpty() ? "" : "?" + urlExtra.substring(1)));
            c.setConnectionTimeout(Math.max(250, timeoutMs));
            c.setUsername(user);
            c.setMaximumPoolSize(poolSize);
            // minimumIdle left at its default (= maximumPoolSize): a fixed-size pool
            HikariDataSource ds;
            try {
                ds = new HikariDataSource(c);
            } catch (RuntimeException e) {
                throw new SQLException("HikariCP could not start", e);
            }
            return new Target(ds::getConnection, () -> ds.getHikariPoolMXBean().getTotalConnections(),
                    () -> ds.getHikariPoolMXBean().getThreadsAwaitingConnection(), ds);
        }
        if (target.equals("pooled-ds")) {
            PooledDataSource ds = PooledDataSource.builder()
                    .url("jdbc:postgresql://" + hostPortDb + (urlExtra.isEmpty() ? "" : "?" + urlExtra.substring(1)))
                    .user(user)
                    .set("max_connections", Integer.toString(poolSize))
                    .set("max_queue", Integer.toString(Math.max(1000, threads)))
                    .set("timeout_ms", Integer.toString(timeoutMs))
                    .set("service", "bench")
                    .build();
            ConnectionPool pool = ds.pool();
            return new Target(ds::getConnection, pool::physicalConnections, pool::queued, ds);
        }
        if (target.equals("pooled")) {
            // The first request starts the pool (and proves the database answers); later ones hit the route cache.
            DriverManager.getConnection(pooledUrl).close();
            ConnectionPool pool = PooledDriver.registry().pools().get(0);
            return new Target(() -> DriverManager.getConnection(pooledUrl), pool::physicalConnections, pool::queued,
                    () -> PooledDriver.registry().close(Duration.ofSeconds(5)));
        }
        // connect-per-txn, plain: a new PostgreSQL session per op
        DriverManager.getConnection(plainUrl).close();
        return new Target(() -> DriverManager.getConnection(plainUrl), null, null, () -> { });
    }

    static final class Worker extends Thread {
        private static final Map<String, AtomicLong> ERROR_SAMPLES = new ConcurrentHashMap<>();
        private static final int MAX_ERROR_KINDS = 10;

        final Source source;
        final Histogram acquire = new Histogram(HIGHEST_NANOS, 3);
        final Histogram op = new Histogram(HIGHEST_NANOS, 3);
        final Histogram rejected = new Histogram(HIGHEST_NANOS, 3);
        final java.util.SplittableRandom random = new java.util.SplittableRandom();
        long errors;
        long warmupErrors;
        long warmupOps;
        long checksum;

        Worker(Source source, String name) {
            super(name);
            this.source = source;
            setDaemon(true);
        }

        @Override
        public void run() {
            long interval = rate > 0 ? (long) (threadCount * 1e9 / rate) : 0;
            long next = System.nanoTime() + (interval > 0 ? random.nextLong(interval) : 0);
            for (;;) {
                int ph = phase;
                if (ph == PHASE_STOP) {
                    return;
                }
                if (interval > 0) {
                    long now = System.nanoTime();
                    if (now - next > interval) {
                        next = now; // fell behind: skip the missed slots
                    }
                    while ((now = System.nanoTime()) - next < 0 && phase != PHASE_STOP) {
                        java.util.concurrent.locks.LockSupport.parkNanos(next - now);
                    }
                    next += interval;
                }
                long t0 = System.nanoTime();
                long t1;
                try (Connection c = source.get()) {
                    t1 = System.nanoTime();
                    if (work.equals("mix")) {
                        mix(c);
                    } else {
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                            if (!rs.next()) {
                                throw new SQLException("SELECT 1 returned no row");
                            }
                            checksum += rs.getInt(1);
                        }
                    }
                } catch (SQLException | RuntimeException e) {
                    if (ph == PHASE_MEASURE) {
                        errors++;
                        rejected.recordValue(Math.min(Math.max(0, System.nanoTime() - t0), HIGHEST_NANOS));
                    } else {
                        warmupErrors++;
                    }
                    noteError(e);
                    continue;
                }
                long t2 = System.nanoTime();
                if (ph == PHASE_MEASURE) {
                    acquire.recordValue(Math.min(t1 - t0, HIGHEST_NANOS));
                    op.recordValue(Math.min(t2 - t0, HIGHEST_NANOS));
                } else {
                    warmupOps++;
                }
            }
        }

        /** 3 of 4: read a row by key; 1 of 4: update it (auto-commit, one statement each). */
        private void mix(Connection c) throws SQLException {
            int id = 1 + random.nextInt(MIX_ROWS);
            if (random.nextInt(4) == 0) {
                try (java.sql.PreparedStatement ps = c.prepareStatement(
                        "UPDATE pooled_bench_mix SET v = v + 1 WHERE id = ?")) {
                    ps.setInt(1, id);
                    checksum += ps.executeUpdate();
                }
            } else {
                try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT v FROM pooled_bench_mix WHERE id = ?")) {
                    ps.setInt(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new SQLException("row " + id + " missing");
                        }
                        checksum += rs.getLong(1);
                    }
                }
            }
        }

        private static void noteError(Exception e) {
            String kind = e.getClass().getName() + (e instanceof SQLException ? " [" + ((SQLException) e).getSQLState()
                    + "]" : "");
            AtomicLong n = ERROR_SAMPLES.get(kind);
            if (n == null && ERROR_SAMPLES.size() < MAX_ERROR_KINDS) {
                n = ERROR_SAMPLES.computeIfAbsent(kind, k -> {
                    System.err.println("LoadBench: first " + k + ": " + e.getMessage());
                    return new AtomicLong();
                });
            }
            if (n != null) {
                n.incrementAndGet();
            }
        }

        static void printErrorSamples() {
            ERROR_SAMPLES.forEach((k, n) -> System.out.println("ERRORS " + k + " count=" + n.get()));
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("mode", "acquire");
        o.put("target", "hikari");
        o.put("threads", "8");
        o.put("warmup", "5");
        o.put("measure", "15");
        o.put("host", "127.0.0.1");
        o.put("port", "5432");
        o.put("db", "test");
        o.put("user", "postgres");
        o.put("pool-size", "10");
        o.put("bouncer-port", "6432");
        o.put("work", "select1");
        o.put("pool-mode", "session");
        o.put("rate", "0");
        o.put("max-queue", "");
        o.put("timeout-ms", "30000");
        o.put("label", "");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !o.containsKey(a.substring(2)) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown or incomplete option " + a + "; options: " + o.keySet());
            }
            o.put(a.substring(2), args[++i]);
        }
        String mode = o.get("mode");
        String target = o.get("target");
        boolean ok = (mode.equals("acquire") && (target.equals("hikari") || target.equals("hikari-pgbouncer")
                        || target.equals("pooled") || target.equals("pooled-ds")))
                || (mode.equals("connect-per-txn")
                        && (target.equals("plain") || target.equals("pgbouncer") || target.equals("pooled")));
        if (!ok) {
            throw new IllegalArgumentException("mode " + mode + " with target " + target + " is not a run;"
                    + " acquire: hikari|hikari-pgbouncer|pooled|pooled-ds, connect-per-txn: plain|pgbouncer|pooled");
        }
        if (!o.get("work").equals("select1") && !o.get("work").equals("mix")) {
            throw new IllegalArgumentException("--work " + o.get("work") + ": allowed are select1, mix");
        }
        if (!o.get("pool-mode").equals("session") && !o.get("pool-mode").equals("transaction")) {
            throw new IllegalArgumentException("--pool-mode " + o.get("pool-mode") + ": allowed are session, transaction");
        }
        try {
            if (Integer.parseInt(o.get("threads")) < 1 || Integer.parseInt(o.get("pool-size")) < 1
                    || Double.parseDouble(o.get("warmup")) < 0 || Double.parseDouble(o.get("measure")) <= 0) {
                throw new IllegalArgumentException("threads and pool-size must be >= 1, warmup >= 0, measure > 0");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + e.getMessage());
        }
        return o;
    }

    /** Makes the mix's table if it is missing: {@value #MIX_ROWS} rows, keyed 1..N. */
    private static void prepareMix(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS pooled_bench_mix (id int PRIMARY KEY, v bigint NOT NULL)");
            st.execute("INSERT INTO pooled_bench_mix SELECT g, 0 FROM generate_series(1, " + MIX_ROWS
                    + ") g ON CONFLICT (id) DO NOTHING");
        }
    }

    private static void sleepSeconds(double s) throws InterruptedException {
        long ms = (long) (s * 1000);
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    private static void kv(StringBuilder b, String k, Object v) {
        b.append(' ').append(k).append('=').append(v);
    }

    private static String us(long nanos) {
        return fmt(nanos / 1e3);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
