package dev.pooled.internal;

import dev.pooled.DatabaseLoad;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples one database server's own view of its load, on one connection and one daemon thread
 * ({@code pooled-db-<n>-sampler}) per database, shared by every pool of the process that reaches it: pools join with
 * {@link #join(String, DataSource)} under a key (delegate URL and user) and {@link Membership#close() leave}; the last
 * one out closes the connection and stops the thread. Every {@link DatabaseLoad#SAMPLE_PERIOD_MILLIS} ms it runs one
 * or a few cheap queries and publishes a {@link Sample}: the {@link DatabaseLoad} plus the server's statement latency
 * over the last {@value #WINDOW} samples, which is what the throttle compares with its baseline. PostgreSQL: twice the
 * median age of the statements running at each sample; MySQL: Little's law, mean {@code Threads_running} over
 * {@code Questions} per second. Nothing here runs on the acquire path.
 *
 * <p>A query that fails closes the connection; the next attempt opens a new one, with back-off from 0.5 s to 30 s
 * while the database cannot be reached. Statements time out after {@value #QUERY_TIMEOUT_SECONDS} s so that a hung
 * server cannot keep the sample's figures looking fresh. Thread-safe.
 */
public final class DatabaseSampler {
    static final int WINDOW = 4;
    static final int QUERY_TIMEOUT_SECONDS = 2;
    static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseSampler.class);
    private static final ConcurrentHashMap<String, DatabaseSampler> SAMPLERS = new ConcurrentHashMap<>();
    private static final AtomicInteger THREADS = new AtomicInteger();

    /**
     * One published sample. Immutable.
     *
     * @param load what the server said
     * @param latencySeconds mean statement time over the window by Little's law; NaN while idle or before two samples
     * @param atNanos {@link System#nanoTime()} when taken
     * @param seq increases by one per sample
     */
    public record Sample(DatabaseLoad load, double latencySeconds, long atNanos, long seq) {
    }

    /** A pool's share in a sampler; close it when the pool closes. */
    public interface Membership extends AutoCloseable {
        /** @return the latest sample, or {@code null} before the first */
        Sample latest();

        @Override
        void close();
    }

    /** No sampler: a pool built without a database key (unit tests, a data source that names no URL). */
    public static final Membership NONE = new Membership() {
        @Override
        public Sample latest() {
            return null;
        }

        @Override
        public void close() {
        }
    };

    private final String key;
    private final DataSource source;
    private int members;
    private Thread thread;
    private volatile boolean stopped;
    private volatile Sample latest;

    private Connection conn;
    private Dialect dialect;
    private final long[] ringAt = new long[WINDOW + 1];
    private final double[] ringActive = new double[WINDOW + 1];
    private final long[] ringDone = new long[WINDOW + 1];
    private final double[] ringAge = new double[WINDOW + 1];
    private long count;
    private long seq;

    private DatabaseSampler(String key, DataSource source) {
        this.key = key;
        this.source = source;
    }

    /**
     * Joins (or starts) the sampler of one database.
     *
     * @param key identifies the database: the delegate URL and the user; never logged
     * @param source opens the sampler's connection when it needs one (the pool's physical data source)
     * @return the membership; close it to leave
     */
    public static Membership join(String key, DataSource source) {
        while (true) {
            DatabaseSampler s = SAMPLERS.computeIfAbsent(key, k -> new DatabaseSampler(k, source));
            synchronized (s) {
                if (s.stopped) {
                    continue; // the last member left just now; start a fresh one
                }
                if (s.members++ == 0) {
                    s.start();
                }
            }
            return new Membership() {
                private boolean closed;

                @Override
                public Sample latest() {
                    return s.latest;
                }

                @Override
                public synchronized void close() {
                    if (!closed) {
                        closed = true;
                        s.leave();
                    }
                }
            };
        }
    }

    /** @return samplers running now; for tests */
    static int running() {
        return SAMPLERS.size();
    }

    private void start() {
        Thread t = new Thread(this::run, "pooled-db-" + THREADS.incrementAndGet() + "-sampler");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void leave() {
        Thread t;
        synchronized (this) {
            if (--members > 0) {
                return;
            }
            stopped = true;
            SAMPLERS.remove(key, this);
            t = thread;
        }
        LockSupport.unpark(t);
    }

    private void run() {
        long period = TimeUnit.MILLISECONDS.toNanos(DatabaseLoad.SAMPLE_PERIOD_MILLIS);
        long backoff = period;
        long lastWarn = 0;
        try {
            while (!stopped) {
                long next = System.nanoTime() + period;
                try {
                    sample();
                    backoff = period;
                } catch (SQLException | RuntimeException e) {
                    closeConnection();
                    long t = System.nanoTime();
                    if (lastWarn == 0 || t - lastWarn > TimeUnit.MINUTES.toNanos(1)) {
                        lastWarn = t;
                        LOG.debug("database sampler: sample failed ({}); retrying in {} ms", e.toString(),
                                TimeUnit.NANOSECONDS.toMillis(backoff));
                    }
                    next = System.nanoTime() + backoff;
                    backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
                }
                for (long w = next - System.nanoTime(); w > 0 && !stopped; w = next - System.nanoTime()) {
                    LockSupport.parkNanos(this, w);
                }
            }
        } finally {
            closeConnection();
        }
    }

    private void closeConnection() {
        Connection c = conn;
        conn = null;
        count = 0; // the counters of a new session, or a restarted server, start elsewhere
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.trace("database sampler: close failed", e);
            }
        }
    }

    private void sample() throws SQLException {
        if (conn == null) {
            Connection c = source.getConnection();
            try {
                c.setAutoCommit(true);
                dialect = Dialect.of(c.getMetaData().getDatabaseProductName());
                // Tell the sampler's session apart from the pools' (tests and operators count sessions): on
                // PostgreSQL by its application name, on MySQL by its default schema.
                if (dialect == Dialect.POSTGRESQL) {
                    try (Statement st = c.createStatement()) {
                        st.execute("set application_name = 'pooled-sampler'");
                    }
                } else {
                    c.setCatalog("information_schema");
                }
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
            conn = c;
        }
        long at = System.nanoTime();
        Raw r = dialect == Dialect.POSTGRESQL ? postgres(conn) : mysql(conn);
        record(at, r);
    }

    /**
     * One sample on a caller's connection (the pool's first), so that a new pool knows the server's headroom before
     * it opens its connections. Never throws: {@link DatabaseLoad#UNKNOWN} when the server does not say.
     *
     * @param c a live connection; left open, its autocommit state unchanged by a successful query
     * @return what the server said; the latency is NaN
     */
    public static DatabaseLoad sampleOnce(Connection c) {
        try {
            Dialect d = Dialect.of(c.getMetaData().getDatabaseProductName());
            Raw r = d == Dialect.POSTGRESQL ? postgres(c) : mysql(c);
            return new DatabaseLoad(Instant.now(), r.connections, r.maxConnections, r.active, r.idleInTx,
                    r.waitingOnLocks, Double.NaN);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("database sampler: no first sample", e);
            return DatabaseLoad.UNKNOWN;
        }
    }

    /** Figures of one query. */
    /**
     * @param completions a server-wide completion counter (MySQL {@code Questions}), or -1
     * @param activeAge PostgreSQL: the median age of running statements in seconds (0 when none runs); else NaN
     */
    private record Raw(int connections, int maxConnections, int active, int idleInTx, int waitingOnLocks,
            long completions, double activeAge) {
    }

    private static Raw postgres(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            // One statement, so one snapshot. The latency is the median age of the statements running now: it needs
            // no counters (pg_stat_database's are flushed by each backend at most once a second, and skipped under
            // lock contention: measured here, they lagged the real rate fortyfold under load), it grows at once
            // when sessions pile up on a lock or a busy CPU, and one long report query does not move a median.
            try (ResultSet rs = st.executeQuery("select count(*),"
                    + " count(*) filter (where state = 'active' and pid <> pg_backend_pid()),"
                    + " count(*) filter (where state in ('idle in transaction', 'idle in transaction (aborted)')),"
                    + " count(*) filter (where wait_event_type = 'Lock'),"
                    + " current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int,"
                    + " percentile_cont(0.5) within group (order by extract(epoch from clock_timestamp() - query_start))"
                    + " filter (where state = 'active' and pid <> pg_backend_pid())"
                    + " from pg_stat_activity where backend_type = 'client backend'")) {
                rs.next();
                double age = rs.getDouble(6);
                return new Raw(rs.getInt(1), rs.getInt(5), rs.getInt(2), rs.getInt(3), rs.getInt(4), -1,
                        rs.wasNull() ? 0.0 : age);
            }
        }
    }

    private static Raw mysql(Connection c) throws SQLException {
        int connected = -1;
        int running = -1;
        long questions = -1;
        int max;
        int idleInTx = -1;
        int lockWait = -1;
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            try (ResultSet rs = st.executeQuery("show global status where variable_name in"
                    + " ('Threads_connected', 'Threads_running', 'Questions')")) {
                while (rs.next()) {
                    String name = rs.getString(1).toLowerCase(Locale.ROOT);
                    long v = rs.getLong(2);
                    if (name.equals("threads_connected")) {
                        connected = (int) v;
                    } else if (name.equals("threads_running")) {
                        running = Math.max(0, (int) v - 1); // this statement's own thread
                    } else if (name.equals("questions")) {
                        questions = v;
                    }
                }
            }
            try (ResultSet rs = st.executeQuery("select @@global.max_connections")) {
                rs.next();
                max = rs.getInt(1);
            }
            try (ResultSet rs = st.executeQuery("select count(*), coalesce(sum(t.trx_state = 'LOCK WAIT'), 0)"
                    + " from information_schema.innodb_trx t")) {
                rs.next();
                lockWait = rs.getInt(2);
            } catch (SQLException e) {
                LOG.trace("database sampler: no InnoDB transaction list", e);
            }
            try (ResultSet rs = st.executeQuery("select count(*) from information_schema.innodb_trx t"
                    + " join information_schema.processlist p on p.id = t.trx_mysql_thread_id"
                    + " where p.command = 'Sleep'")) {
                rs.next();
                idleInTx = rs.getInt(1);
            } catch (SQLException e) {
                LOG.trace("database sampler: no process list", e);
            }
        }
        // Questions counts our own statements too: four per sample.
        return new Raw(connected, max, running, idleInTx, lockWait, questions, Double.NaN);
    }

    /** Our own statements per sample, counted by the server's completion counter. */
    private int ownCompletions() {
        return dialect == Dialect.POSTGRESQL ? 1 : 4;
    }

    private void record(long at, Raw r) {
        int i = (int) (count % (WINDOW + 1));
        ringAt[i] = at;
        ringActive[i] = r.active;
        ringDone[i] = r.completions;
        ringAge[i] = r.activeAge;
        count++;
        double latency = Double.NaN;
        int n = (int) Math.min(count, WINDOW + 1);
        if (!Double.isNaN(r.activeAge)) {
            // PostgreSQL: twice the mean over the window of the median age of running statements (a statement
            // seen at a random moment of its run is, on average, half done); NaN when nothing ran in the window.
            double sum = 0;
            double activeSum = 0;
            int m = Math.min(n, WINDOW);
            for (int j = 0; j < m; j++) {
                int k = (int) ((count - 1 - j) % (WINDOW + 1));
                sum += ringAge[k];
                activeSum += ringActive[k];
            }
            latency = activeSum == 0 ? Double.NaN : 2 * sum / m;
        } else if (n >= 2 && r.completions >= 0 && r.active >= 0) {
            int oldest = (int) ((count - n) % (WINDOW + 1));
            double seconds = (at - ringAt[oldest]) / 1e9;
            long done = r.completions - ringDone[oldest] - (long) ownCompletions() * (n - 1);
            double meanActive = 0;
            for (int j = 0; j < n; j++) {
                meanActive += ringActive[(int) ((count - 1 - j) % (WINDOW + 1))];
            }
            meanActive /= n;
            if (meanActive > 0 && seconds > 0) {
                // No completion while sessions are active: a stall, counted as one completion just now.
                latency = meanActive * seconds / Math.max(1L, done);
            }
        }
        DatabaseLoad load = new DatabaseLoad(Instant.now(), r.connections, r.maxConnections, r.active, r.idleInTx,
                r.waitingOnLocks, latency * 1e6);
        latest = new Sample(load, latency, at, ++seq);
    }

    private enum Dialect {
        POSTGRESQL, MYSQL;

        static Dialect of(String product) {
            String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
            return p.contains("postgres") ? POSTGRESQL : MYSQL;
        }
    }
}
