package dev.pooled.examples;

import dev.pooled.PoolListener;
import dev.pooled.PooledJdbcException;
import dev.pooled.RejectReason;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Requests against one pool at a set rate, and what the pool reported about them.
 *
 * <p>Each of a fixed number of user threads runs on its own schedule (rate / users per second, staggered), so the
 * offered load stays what was asked for while requests queue or are turned away: an open-loop load, not one that
 * slows down as the pool does. A user that falls a whole interval behind skips the missed slots rather than
 * bursting to catch up.
 *
 * <p>The pool's own {@link PoolListener} events give the wait times of served requests and the rejections by
 * reason; the users time failed requests from the caller's side (how fast "no" comes back).
 */
final class Load implements PoolListener {
    private final String name;
    private final DemoDatabase db;
    private final int users;
    private volatile double rate;
    private volatile boolean stop;
    private final List<Thread> threads = new ArrayList<>();

    private final Recorder wait = new Recorder(3_600_000_000L, 2);
    private final Recorder rejectLatency = new Recorder(3_600_000_000L, 2);
    private final EnumMap<RejectReason, LongAdder> rejections = new EnumMap<>(RejectReason.class);
    private final LongAdder acquired = new LongAdder();
    private final LongAdder offered = new LongAdder();
    private final LongAdder served = new LongAdder();
    private final LongAdder dbErrors = new LongAdder();
    private volatile String lastError = "";

    Load(String name, DemoDatabase db, int users) {
        this.name = name;
        this.db = db;
        this.users = users;
        for (RejectReason r : RejectReason.values()) {
            rejections.put(r, new LongAdder());
        }
    }

    String name() {
        return name;
    }

    /** @param perSecond requests per second offered from now on; 0 pauses the users */
    void rate(double perSecond) {
        this.rate = perSecond;
    }

    double rate() {
        return rate;
    }

    /** Starts the users against {@code dataSource}, whose pool must have this object as its listener. */
    void start(DataSource dataSource) {
        for (int u = 0; u < users; u++) {
            int user = u;
            Thread t = new Thread(() -> run(dataSource, user), "pooled-demo-" + name + "-user-" + u);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    void stop() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    private void run(DataSource dataSource, int user) {
        long next = System.nanoTime();
        boolean first = true;
        while (!stop) {
            double r = rate;
            if (r <= 0) {
                LockSupport.parkNanos(20_000_000L);
                next = System.nanoTime();
                first = true;
                continue;
            }
            long interval = (long) (users * 1e9 / r);
            if (first) {
                next += interval * user / users; // stagger the users across one interval
                first = false;
            } else {
                next += interval;
            }
            long now = System.nanoTime();
            if (now - next > interval) {
                next = now; // fell behind: skip the missed slots
            }
            while (!stop && (now = System.nanoTime()) < next) {
                LockSupport.parkNanos(next - now);
            }
            if (stop) {
                return;
            }
            request(dataSource);
        }
    }

    private void request(DataSource dataSource) {
        offered.increment();
        long t0 = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            db.work(c);
            served.increment();
        } catch (SQLException e) {
            if (isRejection(e)) {
                rejectLatency.recordValue(Math.max(1, Math.min(System.nanoTime() - t0, 3_600_000_000L)));
            } else {
                dbErrors.increment();
                lastError = e.getSQLState() + " " + e.getMessage();
            }
        } catch (RuntimeException e) {
            dbErrors.increment();
            lastError = String.valueOf(e);
        }
    }

    private static boolean isRejection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PooledJdbcException) {
                return true;
            }
        }
        return false;
    }

    // ---- PoolListener: the pool's own account -------------------------------------------------------------------

    @Override
    public void acquired(String pool, long waitNanos) {
        acquired.increment();
        wait.recordValue(Math.max(1, Math.min(waitNanos, 3_600_000_000L)));
    }

    @Override
    public void rejected(String pool, RejectReason reason) {
        rejections.get(reason).increment();
    }

    /** What happened since the previous call. */
    Interval drain() {
        Histogram w = wait.getIntervalHistogram();
        Histogram rl = rejectLatency.getIntervalHistogram();
        Map<RejectReason, Long> rej = new EnumMap<>(RejectReason.class);
        for (Map.Entry<RejectReason, LongAdder> e : rejections.entrySet()) {
            rej.put(e.getKey(), e.getValue().sumThenReset());
        }
        return new Interval(offered.sumThenReset(), served.sumThenReset(), acquired.sumThenReset(),
                dbErrors.sumThenReset(), rej, w, rl);
    }

    String lastError() {
        return lastError;
    }

    /** One sampling interval's counts and distributions (nanoseconds). */
    record Interval(long offered, long served, long acquired, long dbErrors, Map<RejectReason, Long> rejections,
            Histogram waits, Histogram rejectLatency) {
        long rejected() {
            long n = 0;
            for (long v : rejections.values()) {
                n += v;
            }
            return n;
        }
    }
}
