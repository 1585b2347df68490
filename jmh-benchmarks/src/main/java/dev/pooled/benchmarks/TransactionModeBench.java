package dev.pooled.benchmarks;

import dev.pooled.jdbc.PooledDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Transaction mode against session mode on the same short transactions, against a real PostgreSQL. One transaction
 * is: auto-commit off, {@code UPDATE bench_tx_accounts SET balance = balance + 1 WHERE id = ?} on a random row,
 * {@code SELECT balance ... WHERE id = ?}, commit (two prepared statements, made for each transaction).
 *
 * <ul>
 *   <li>{@code session}: 10 threads over a session-mode pool of 10 connections; each transaction borrows a connection
 *       ({@code getConnection()}) and closes it, as request-scoped code does.
 *   <li>{@code session-held} (reference): 10 threads, each holding one session connection for the whole run.
 *   <li>{@code session-wide} (reference): as {@code session} with the transaction-mode thread count (200): what many
 *       callers over few connections cost in session mode, the gate's hand-off included.
 *   <li>{@code hikari}, {@code hikari-wide} (references): raw HikariCP, 10 connections, with 10 and with 200 threads
 *       borrowing per transaction: what the same hand-off costs the pool we build on.
 *   <li>{@code transaction}: 200 threads over a transaction-mode pool of 10 physical connections; each thread holds
 *       one logical connection for the whole run, so 200 logical connections share 10 physical ones.
 * </ul>
 *
 * One uncounted run of each mode warms the JIT, the database and its caches. Then each round runs every mode once
 * (the order rotates from round to round); each run warms up, then counts committed transactions for a fixed time.
 * Every loop is bounded by time and the program exits by itself. On a shared machine the load changes over minutes,
 * so the figure to trust is the median over the rounds of the ratio within a round (runs seconds apart). Prints one
 * {@code RESULT} line per run and a {@code SUMMARY} with the medians.
 *
 * <pre>
 * --rounds N (8)   --warmup S (2)   --measure S (5)   --host 127.0.0.1 --port 5432 --db test --user postgres
 * --session-threads 10   --tx-threads 200   --connections 10   --rows 1000
 * --virtual false (true: the many-caller modes run their callers on virtual threads; needs Java 21+)
 * --modes session,transaction,session-held (the default; also transaction-minimal, session-wide, hikari,
 *         hikari-wide; rotated each round)
 * --reset always (pooled.reset of the transaction mode; transaction-minimal is always minimal)
 * </pre>
 *
 * Exit status 0 when every run completed, 1 when a run failed, 2 for bad arguments.
 */
public final class TransactionModeBench {
    /** Whether the many-caller modes (transaction, *-wide) run on virtual threads. */
    private static boolean virtualWide;
    /** {@code pooled.reset} of the {@code transaction} mode; {@code transaction-minimal} always runs minimal. */
    private static String reset = "always";
    private static final List<String> MODES = List.of("session", "transaction", "transaction-minimal",
            "session-held", "session-wide", "hikari", "hikari-wide");

    private TransactionModeBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 8;
        double warmup = 2;
        double measure = 5;
        String host = "127.0.0.1";
        int port = 5432;
        String db = "test";
        String user = "postgres";
        int sessionThreads = 10;
        int txThreads = 200;
        int connections = 10;
        int rows = 1000;
        List<String> modes = List.of("session", "transaction", "session-held");
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage("missing value for " + args[i]);
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--warmup" -> warmup = Double.parseDouble(v);
                case "--measure" -> measure = Double.parseDouble(v);
                case "--host" -> host = v;
                case "--port" -> port = Integer.parseInt(v);
                case "--db" -> db = v;
                case "--user" -> user = v;
                case "--session-threads" -> sessionThreads = Integer.parseInt(v);
                case "--tx-threads" -> txThreads = Integer.parseInt(v);
                case "--connections" -> connections = Integer.parseInt(v);
                case "--rows" -> rows = Integer.parseInt(v);
                case "--virtual" -> virtualWide = Boolean.parseBoolean(v);
                case "--reset" -> {
                    if (!v.equals("always") && !v.equals("minimal")) {
                        usage("--reset must be always or minimal");
                    }
                    reset = v;
                }
                case "--modes" -> {
                    modes = List.of(v.split(","));
                    for (String m : modes) {
                        if (!MODES.contains(m)) {
                            usage("unknown mode " + m + "; known: " + String.join(",", MODES));
                        }
                    }
                }
                default -> usage("unknown argument " + args[i]);
            }
        }
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + db;
        setUp(url, user, rows);
        System.out.printf(Locale.ROOT, "TransactionModeBench: %d rounds, warm-up %.1f s, measure %.1f s, %d physical"
                + " connections; session %d threads, transaction %d %s threads; %d rows; Java %s%n", rounds, warmup,
                measure, connections, sessionThreads, txThreads, virtualWide ? "virtual" : "platform", rows,
                Runtime.version());
        java.util.Map<String, List<Double>> perMode = new java.util.LinkedHashMap<>();
        java.util.Map<String, List<Double>> vsSession = new java.util.LinkedHashMap<>();
        List<Double> alwaysVsMinimal = new ArrayList<>();
        boolean ok = true;
        for (String mode : modes) {
            Result res = run(mode, url, user, connections, threads(mode, sessionThreads, txThreads), rows, warmup,
                    Math.min(measure, 3));
            ok &= res.error == null;
            System.out.printf(Locale.ROOT, "WARMUP mode=%s tx_per_s=%.0f errors=%s%n", mode, res.perSecond,
                    res.error == null ? "0" : res.error);
        }
        for (int r = 0; r < rounds; r++) {
            List<String> order = new ArrayList<>(modes);
            java.util.Collections.rotate(order, -r);
            java.util.Map<String, Double> round = new java.util.HashMap<>();
            for (String mode : order) {
                int threads = threads(mode, sessionThreads, txThreads);
                Result res = run(mode, url, user, connections, threads, rows, warmup, measure);
                ok &= res.error == null;
                System.out.printf(Locale.ROOT, "RESULT mode=%s round=%d threads=%d connections=%d tx_per_s=%.0f"
                        + " committed=%d errors=%s%n", mode, r + 1, threads, connections, res.perSecond,
                        res.committed, res.error == null ? "0" : res.error);
                perMode.computeIfAbsent(mode, k -> new ArrayList<>()).add(res.perSecond);
                round.put(mode, res.perSecond);
            }
            Double minimal = round.get("transaction-minimal");
            if (minimal != null && round.containsKey("transaction")) {
                alwaysVsMinimal.add(round.get("transaction") / minimal);
            }
            Double base = round.get("session");
            if (base != null) {
                for (String mode : modes) {
                    if (!mode.equals("session")) {
                        vsSession.computeIfAbsent(mode, k -> new ArrayList<>()).add(round.get(mode) / base);
                    }
                }
            }
        }
        StringBuilder summary = new StringBuilder("SUMMARY medians over " + rounds + " rounds:");
        for (String mode : modes) {
            summary.append(String.format(Locale.ROOT, " %s=%.0f tx/s (%d threads)", mode, median(perMode.get(mode)),
                    threads(mode, sessionThreads, txThreads)));
        }
        for (java.util.Map.Entry<String, List<Double>> e : vsSession.entrySet()) {
            summary.append(String.format(Locale.ROOT, "; %s/session = %.1f%%", e.getKey(),
                    100 * median(e.getValue())));
        }
        if (!alwaysVsMinimal.isEmpty()) {
            summary.append(String.format(Locale.ROOT, "; transaction(reset=%s)/transaction-minimal = %.1f%%", reset,
                    100 * median(alwaysVsMinimal)));
        }
        System.out.println(summary + (vsSession.isEmpty() ? "" : " (median of the per-round ratios)"));
        System.exit(ok ? 0 : 1);
    }

    /** A virtual thread (Java 21+), through reflection: the benchmarks compile for Java 17. */
    private static Thread virtualThread(Runnable body) {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (Thread) Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class)
                    .invoke(builder, body);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("--virtual needs Java 21 or later; this is " + Runtime.version(), e);
        }
    }

    /** Modes that stand for many callers over few connections run the transaction-mode thread count. */
    private static int threads(String mode, int sessionThreads, int txThreads) {
        return manyCallers(mode) ? txThreads : sessionThreads;
    }

    private static boolean manyCallers(String mode) {
        return mode.startsWith("transaction") || mode.endsWith("-wide");
    }

    private static void usage(String why) {
        System.err.println("TransactionModeBench: " + why);
        System.exit(2);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static void setUp(String url, String user, int rows) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(url + "?user=" + user);
                Statement st = c.createStatement()) {
            st.execute("create table if not exists bench_tx_accounts(id int primary key, balance bigint not null)");
            st.execute("truncate bench_tx_accounts");
            st.execute("insert into bench_tx_accounts select g, 0 from generate_series(1, " + rows + ") g");
            st.execute("vacuum analyze bench_tx_accounts");
        }
    }

    private static final class Result {
        double perSecond;
        long committed;
        String error;
    }

    private static Result run(String mode, String url, String user, int connections, int threads, int rows,
            double warmupS, double measureS) throws Exception {
        boolean tx = mode.startsWith("transaction");
        boolean holds = tx || mode.equals("session-held");
        javax.sql.DataSource ds;
        AutoCloseable closer;
        if (mode.startsWith("hikari")) {
            com.zaxxer.hikari.HikariConfig hc = new com.zaxxer.hikari.HikariConfig();
            hc.setJdbcUrl(url);
            hc.setUsername(user);
            hc.setMaximumPoolSize(connections);
            hc.setMinimumIdle(connections);
            hc.setConnectionTimeout(30_000);
            com.zaxxer.hikari.HikariDataSource h = new com.zaxxer.hikari.HikariDataSource(hc);
            ds = h;
            closer = h;
        } else {
            PooledDataSource p = PooledDataSource.builder().url(url).user(user)
                    .set("service", "bench-" + mode + "-" + System.nanoTime())
                    .set("max_connections", "" + connections).set("max_queue", "" + Math.max(1000, threads))
                    .set("timeout_ms", "30000").set("mode", tx ? "transaction" : "session")
                    .set("reset", mode.equals("transaction-minimal") ? "minimal" : reset).build();
            ds = p;
            closer = p;
        }
        LongAdder counted = new LongAdder();
        AtomicReference<String> error = new AtomicReference<>();
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupS * 1e9);
        long end = measureFrom + (long) (measureS * 1e9);
        AtomicLong measuredFrom = new AtomicLong(measureFrom);
        List<Thread> ts = new ArrayList<>();
        boolean virtual = virtualWide && manyCallers(mode);
        for (int i = 0; i < threads; i++) {
            Runnable body = () -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                try {
                    Connection held = holds ? ds.getConnection() : null;
                    if (held != null) {
                        held.setAutoCommit(false);
                    }
                    try {
                        while (true) {
                            long now = System.nanoTime();
                            if (now - end >= 0 || error.get() != null) {
                                break;
                            }
                            int id = 1 + rnd.nextInt(rows);
                            if (held != null) {
                                transaction(held, id);
                            } else {
                                try (Connection c = ds.getConnection()) {
                                    c.setAutoCommit(false);
                                    transaction(c, id);
                                }
                            }
                            if (System.nanoTime() - measureFrom >= 0) {
                                counted.increment();
                            }
                        }
                    } finally {
                        if (held != null) {
                            held.close();
                        }
                    }
                } catch (SQLException | RuntimeException e) {
                    error.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            };
            Thread t = virtual ? virtualThread(body) : new Thread(body, "bench-" + mode + "-" + i);
            t.setDaemon(true);
            ts.add(t);
        }
        for (Thread t : ts) {
            t.start();
        }
        for (Thread t : ts) {
            t.join(TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) + 30_000);
        }
        closer.close();
        Result r = new Result();
        r.committed = counted.sum();
        r.perSecond = r.committed / ((end - measuredFrom.get()) / 1e9);
        r.error = error.get();
        return r;
    }

    private static void transaction(Connection c, int id) throws SQLException {
        try (PreparedStatement up = c.prepareStatement(
                "update bench_tx_accounts set balance = balance + 1 where id = ?");
                PreparedStatement read = c.prepareStatement("select balance from bench_tx_accounts where id = ?")) {
            up.setInt(1, id);
            up.executeUpdate();
            read.setInt(1, id);
            try (ResultSet rs = read.executeQuery()) {
                rs.next();
                rs.getLong(1);
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        }
    }
}
