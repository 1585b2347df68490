package dev.pooled.jdbc;

import dev.pooled.ConnectionPool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Samples, from outside the pool, what PostgreSQL sees of one application name (sessions, and sessions running a
 * query) and what the pool reports, every {@code periodMillis}, on its own admin connection.
 */
final class PgWatch implements AutoCloseable {
    /** One sample. */
    record Sample(long atNanos, int sessions, int active, int limit, int target, int queued, int physical) {
    }

    final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private volatile ConnectionPool pool;

    PgWatch(String app, long periodMillis) throws SQLException {
        Connection admin = Servers.pgAdmin();
        PreparedStatement ps = admin.prepareStatement("select count(*), count(*) filter (where state = 'active')"
                + " from pg_stat_activity where application_name = ?");
        ps.setString(1, app);
        thread = new Thread(() -> {
            try (admin; ps) {
                while (!stop.get()) {
                    int sessions;
                    int active;
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        sessions = rs.getInt(1);
                        active = rs.getInt(2);
                    }
                    ConnectionPool p = pool;
                    samples.add(p == null ? new Sample(System.nanoTime(), sessions, active, -1, -1, -1, -1)
                            : new Sample(System.nanoTime(), sessions, active, p.limit(), p.stats().targetSize(),
                                    p.queued(), p.physicalConnections()));
                    TimeUnit.MILLISECONDS.sleep(periodMillis);
                }
            } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, "pg-watch-" + app);
        thread.setDaemon(true);
        thread.start();
    }

    /** @param p the pool whose own figures go into later samples */
    void watch(ConnectionPool p) {
        pool = p;
    }

    /** @return samples taken after {@code fromNanos} */
    List<Sample> since(long fromNanos) {
        return samples.stream().filter(s -> s.atNanos() >= fromNanos).toList();
    }

    int maxSessions() {
        return samples.stream().mapToInt(Sample::sessions).max().orElse(0);
    }

    int maxActive() {
        return samples.stream().mapToInt(Sample::active).max().orElse(0);
    }

    static double meanActive(List<Sample> s) {
        return s.stream().mapToInt(Sample::active).average().orElse(0);
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(5_000);
    }
}
