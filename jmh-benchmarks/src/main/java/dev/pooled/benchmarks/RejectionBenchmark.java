package dev.pooled.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pooled.benchmarks.stub.PrefixDriver;
import dev.pooled.benchmarks.stub.StubConnection;
import dev.pooled.benchmarks.stub.StubDriver;
import dev.pooled.jdbc.PooledDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long a caller waits to hear "no" when no connection can be had, against what a HikariCP user gets.
 *
 * <ul>
 *   <li>{@code pooled-queue-full}: {@link PooledDataSource} with max_connections 1, max_queue 0, the one connection
 *       held: every {@code getConnection()} is rejected at once ({@code PoolQueueFullException}, 08004).
 *   <li>{@code pooled-circuit-open}: the physical connections fail (a driver switched to refuse), the breaker
 *       opened before the measurement and stays open (breaker_open_ms 600000): {@code PoolCircuitOpenException}.
 *   <li>{@code hikari-timeout}: raw HikariCP, one connection held, {@code connectionTimeout} 250 ms (HikariCP's
 *       smallest): every caller waits it out and gets {@code SQLTransientConnectionException}. HikariCP has no
 *       queue bound and no breaker; its default connectionTimeout is 30 s, 120 times this.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class RejectionBenchmark {
    /** Which rejection. */
    @Param({"pooled-queue-full", "pooled-circuit-open", "hikari-timeout"})
    public String path;

    interface Source {
        Connection get() throws SQLException;
    }

    private Source source;
    private AutoCloseable closer;
    private Connection held;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        StubDriver.register();
        switch (path) {
            case "pooled-queue-full": {
                PooledDataSource ds = PooledDataSource.builder().url(StubDriver.PREFIX + "reject")
                        .set("service", "reject").set("max_connections", "1").set("max_queue", "0").build();
                held = ds.getConnection();
                source = ds::getConnection;
                closer = ds;
                break;
            }
            case "pooled-circuit-open": {
                SwitchDriver.failing = false;
                DriverManager.registerDriver(SwitchDriver.INSTANCE);
                PooledDataSource ds = PooledDataSource.builder().url(SwitchDriver.PREFIX + "reject")
                        .set("service", "reject-breaker").set("max_connections", "2").set("timeout_ms", "100")
                        .set("sizing", "fixed").set("breaker_open_ms", "600000").build();
                SwitchDriver.failing = true;
                ds.pool().softEvictIdle();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!ds.stats().breakerState().equalsIgnoreCase("open")) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("breaker did not open in 20 s: " + ds.stats());
                    }
                    try (Connection c = ds.getConnection()) {
                        ds.pool().evict(c);
                    } catch (SQLException expected) {
                        // a failed physical acquisition: what opens the breaker
                    }
                }
                source = ds::getConnection;
                closer = () -> {
                    ds.close();
                    DriverManager.deregisterDriver(SwitchDriver.INSTANCE);
                };
                break;
            }
            case "hikari-timeout": {
                HikariConfig c = new HikariConfig();
                c.setPoolName("reject-hikari");
                c.setJdbcUrl(StubDriver.PREFIX + "reject");
                c.setMaximumPoolSize(1);
                c.setMinimumIdle(1);
                c.setConnectionTimeout(250);
                HikariDataSource ds = new HikariDataSource(c);
                held = ds.getConnection();
                source = ds::getConnection;
                closer = ds;
                break;
            }
            default:
                throw new IllegalArgumentException("unknown path " + path);
        }
        try (Connection c = source.get()) {
            throw new IllegalStateException(path + ": expected a rejection, got " + c);
        } catch (SQLException expected) {
            // the path under test
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (held != null) {
            held.close();
        }
        closer.close();
    }

    /** One refused {@code getConnection()}; the exception is returned so that nothing is optimised away. */
    @Benchmark
    public Object rejected() {
        try {
            Connection c = source.get();
            c.close();
            return c;
        } catch (SQLException e) {
            return e;
        }
    }

    /** A driver that hands out stub connections until it is switched to refuse them (08001). */
    public static final class SwitchDriver extends PrefixDriver {
        static final String PREFIX = "jdbc:switch:";
        static final SwitchDriver INSTANCE = new SwitchDriver();
        static volatile boolean failing;

        SwitchDriver() {
            super(PREFIX);
        }

        @Override
        protected Connection open(String url) throws SQLException {
            if (failing) {
                throw new SQLException("connection refused (switched off)", "08001");
            }
            return new StubConnection();
        }
    }
}
