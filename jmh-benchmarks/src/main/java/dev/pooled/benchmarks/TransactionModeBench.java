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
 * --modes session,transaction,session-held (all three, rotated each round)
 * </pre>
 *
 * Exit status 0 when every run completed, 1 when a run failed, 2 for bad arguments.
 */
public final class TransactionModeBench {
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
                case "--modes" -> modes = List.of(v.split(","));
                default -> usage("unknown argument " + args[i]);
            }
        }
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + db;
        setUp(url, user, rows);
        System.out.printf(Locale.ROOT, "TransactionModeBench: %d rounds, warm-up %.1f s, measure %.1f s, %d physical"
                + " connections; session %d threads, transaction %d threads; %d rows%n", rounds, warmup, measure,
                connections, sessionThreads, txThreads, rows);
        List<Double> session = new ArrayList<>();
        List<Double> held = new ArrayList<>();
        List<Double> transaction = new ArrayList<>();
        List<Double> vsSession = new ArrayList<>();
        List<Double> vsHeld = new ArrayList<>();
        boolean ok = true;
        for (String mode : modes) {
            int threads = mode.equals("transaction") ? txThreads : sessionThreads;
            Result res = run(mode, url, user, connections, threads, rows, warmup, Math.min(measure, 3));
            ok &= res.error == null;
            System.out.printf(Locale.ROOT, "WARMUP mode=%s tx_per_s=%.0f errors=%s%n", mode, res.perSecond,
                    res.error == null ? "0" : res.error);
        }
        for (int r = 0; r < rounds; r++) {
            List<String> order = new ArrayList<>(modes);
            java.util.Collections.rotate(order, -r);
            for (String mode : order) {
                int threads = mode.equals("transaction") ? txThreads : sessionThreads;
                Result res = run(mode, url, user, connections, threads, rows, warmup, measure);
                ok &= res.error == null;
                System.out.printf(Locale.ROOT, "RESULT mode=%s round=%d threads=%d connections=%d tx_per_s=%.0f"
                        + " committed=%d errors=%s%n", mode, r + 1, threads, connections, res.perSecond,
                        res.committed, res.error == null ? "0" : res.error);
                (mode.equals("session") ? session : mode.equals("transaction") ? transaction : held)
                        .add(res.perSecond);
            }
            if (session.size() == r + 1 && transaction.size() == r + 1) {
                vsSession.add(transaction.get(r) / session.get(r));
            }
            if (held.size() == r + 1 && transaction.size() == r + 1) {
                vsHeld.add(transaction.get(r) / held.get(r));
            }
        }
        if (session.isEmpty() || transaction.isEmpty() || held.isEmpty()) {
            System.exit(ok ? 0 : 1);
        }
        double s = median(session);
        double h = median(held);
        double t = median(transaction);
        System.out.printf(Locale.ROOT, "SUMMARY medians over %d rounds: session=%.0f tx/s (%d threads),"
                + " session-held=%.0f tx/s, transaction=%.0f tx/s (%d threads); median per-round ratio"
                + " transaction/session = %.1f%%, transaction/session-held = %.1f%%%n", rounds, s, sessionThreads, h,
                t, txThreads, 100 * median(vsSession), 100 * median(vsHeld));
        System.exit(ok ? 0 : 1);
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
        boolean tx = mode.equals("transaction");
        boolean holds = !mode.equals("session");
        PooledDataSource ds = PooledDataSource.builder().url(url).user(user)
                .set("service", "bench-" + mode + "-" + System.nanoTime()).set("max_connections", "" + connections)
                .set("max_queue", "" + Math.max(1000, threads)).set("timeout_ms", "30000")
                .set("mode", tx ? "transaction" : "session").build();
        LongAdder counted = new LongAdder();
        AtomicReference<String> error = new AtomicReference<>();
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupS * 1e9);
        long end = measureFrom + (long) (measureS * 1e9);
        AtomicLong measuredFrom = new AtomicLong(measureFrom);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
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
            }, "bench-" + mode + "-" + i);
            t.setDaemon(true);
            ts.add(t);
        }
        for (Thread t : ts) {
            t.start();
        }
        for (Thread t : ts) {
            t.join(TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) + 30_000);
        }
        ds.close();
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
