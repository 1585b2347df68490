package dev.pooled.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pooled.ConnectionPool;
import dev.pooled.Instrumentation;
import dev.pooled.benchmarks.stub.FloorDriver;
import dev.pooled.benchmarks.stub.StubDriver;
import dev.pooled.jdbc.PooledDataSource;
import dev.pooled.jdbc.PooledDriver;
import dev.pooled.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;
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
 * The cost of one borrow and return, {@code getConnection(); close();}, over the no-I/O {@link StubDriver}, so
 * only pool code is measured. Baseline: raw HikariCP with the same pool size in the same run.
 *
 * <ul>
 *   <li>{@code hikari}: {@link HikariDataSource}, {@code jdbc:stub:}, maximumPoolSize = minimumIdle = 32,
 *       connectionTimeout 8000 ms, everything else HikariCP's default.
 *   <li>{@code pooled}: {@link PooledDataSource} over {@code jdbc:stub:}, max_connections 32 (min_idle defaults to
 *       it), max_queue 1000, timeout_ms 30000, everything else the library's default.
 *   <li>{@code pooled-driver}: {@code DriverManager.getConnection("jdbc:pooled:stub:...")} with the same settings,
 *       i.e. what an application that only changes its URL pays, DriverManager's own cost included.
 *   <li>{@code driver-floor}: {@code DriverManager.getConnection("jdbc:floor:...")} through {@link FloorDriver}, a
 *       driver that returns one cached connection, registered in {@code PooledDriver}'s place in DriverManager's
 *       list: the floor of any DriverManager path, to compare {@code pooled-driver} with.
 *   <li>{@code pooled-adaptive}: as {@code pooled}, with Little's-law sizing, the gradient throttle and the circuit
 *       breaker named explicitly ({@code sizing=littles_law}, {@code throttling=gradient},
 *       {@code breaker_failure_rate=50}: the defaults since the adaptive-sizing release). The sizer shrinks the
 *       pool to what the benchmark threads use while it runs, so its teardown reports fewer than 32 connections.
 *   <li>{@code pooled-prometheus}: as {@code pooled}, with its meters in a live Prometheus registry (Micrometer's
 *       {@code PrometheusMeterRegistry}), so every timer and counter really records: metrics on, as in production.
 *   <li>{@code pooled-prometheus-noslo}: as {@code pooled-prometheus} without SLO buckets
 *       ({@code Instrumentation.builder().slos(List.of())}): timers keep count, sum and max.
 *   <li>{@code pooled-prometheus-notimers}: as {@code pooled-prometheus} with a {@code MeterFilter} denying the
 *       {@code wait_time} and {@code use_time} timers, the two recorded on every borrow; everything else stays.
 *   <li>{@code hikari-prometheus}: as {@code hikari}, with HikariCP's own Micrometer tracker on a live Prometheus
 *       registry ({@code setMetricRegistry}): what metrics cost a HikariCP user, to compare with
 *       {@code pooled-prometheus}.
 *   <li>{@code pooled-static}: as {@code pooled} with every control loop off ({@code sizing=fixed},
 *       {@code throttling=off}, {@code breaker_failure_rate=0}): the difference to {@code pooled-adaptive} is what
 *       the loops cost the acquire path.
 * </ul>
 *
 * <p>Each pool value runs in its own JVM fork (JMH's default), one after the other in the same JMH run: sharing a
 * JVM would let the first pool's type profile shape the code the others run. Threads come from {@code -t}; the
 * pool is filled before the first iteration, so no physical connection is opened while measuring.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class AcquireReleaseBenchmark {
    static final int POOL_SIZE = 32;
    static final String POOLED_SETTINGS = "pooled.max_connections=" + POOL_SIZE
            + "&pooled.max_queue=1000&pooled.timeout_ms=30000&pooled.service=bench";

    /** Which pool to measure. */
    @Param({"hikari", "pooled", "pooled-driver", "driver-floor", "pooled-adaptive", "pooled-static", "pooled-prometheus",
        "pooled-prometheus-noslo", "pooled-prometheus-notimers", "hikari-prometheus"})
    public String pool;

    /** Where a connection comes from; one implementation per fork, so the call site stays monomorphic. */
    interface Source {
        Connection get() throws SQLException;
    }

    private Source source;
    private AutoCloseable closer;
    private IntSupplier physical;
    private IntSupplier active;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        StubDriver.register();
        switch (pool) {
            case "hikari":
                hikari(null);
                break;
            case "hikari-prometheus":
                hikari(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                break;
            case "pooled":
                pooled(b -> b);
                break;
            case "pooled-adaptive":
                pooled(b -> b.set("sizing", "littles_law").set("throttling", "gradient")
                        .set("breaker_failure_rate", "50"));
                break;
            case "pooled-static":
                pooled(b -> b.set("sizing", "fixed").set("throttling", "off").set("breaker_failure_rate", "0"));
                break;
            case "pooled-prometheus":
                pooled(b -> b.instrumentation(Instrumentation.builder()
                        .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).build()));
                break;
            case "pooled-prometheus-noslo":
                pooled(b -> b.instrumentation(Instrumentation.builder()
                        .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).slos(List.of()).build()));
                break;
            case "pooled-prometheus-notimers": {
                PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                r.config().meterFilter(MeterFilter.denyNameStartsWith(MetricNames.WAIT_TIME))
                        .meterFilter(MeterFilter.denyNameStartsWith(MetricNames.USE_TIME));
                pooled(b -> b.instrumentation(Instrumentation.builder().meterRegistry(r).build()));
                break;
            }
            case "pooled-driver": {
                String url = "jdbc:pooled:stub:bench?" + POOLED_SETTINGS;
                DriverManager.getConnection(url).close(); // starts the pool and caches the route
                List<ConnectionPool> pools = PooledDriver.registry().pools();
                if (pools.size() != 1) {
                    throw new IllegalStateException("expected one jdbc:pooled: pool, found " + pools);
                }
                ConnectionPool p = pools.get(0);
                source = () -> DriverManager.getConnection(url);
                closer = () -> PooledDriver.registry().close(Duration.ofSeconds(5));
                physical = p::physicalConnections;
                active = p::active;
                break;
            }
            case "driver-floor": {
                PooledDriver.registry(); // the same drivers registered, in the same order, as for pooled-driver
                FloorDriver.registerInPlaceOf(PooledDriver.class);
                String url = FloorDriver.PREFIX + "bench?" + POOLED_SETTINGS;
                source = () -> DriverManager.getConnection(url);
                closer = () -> { };
                physical = () -> POOL_SIZE;
                active = () -> 0;
                break;
            }
            default:
                throw new IllegalArgumentException("unknown pool " + pool);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (physical.getAsInt() < POOL_SIZE) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(pool + ": pool did not fill to " + POOL_SIZE + " in 10 s (has "
                        + physical.getAsInt() + ")");
            }
            Thread.sleep(5);
        }
        // A borrowed connection must be the pool's: check once, outside the measurement (the floor's cached
        // connection stays "closed" once the first cycle closed it, which is all the floor needs).
        Connection first = source.get();
        if (first.isClosed() || !first.isValid(1)) {
            throw new IllegalStateException(pool + " handed out a dead connection");
        }
        if (!pool.equals("driver-floor")) {
            first.close();
        }
    }

    private void hikari(MeterRegistry registry) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("bench-hikari");
        c.setJdbcUrl(StubDriver.PREFIX + "bench");
        c.setMaximumPoolSize(POOL_SIZE);
        c.setMinimumIdle(POOL_SIZE);
        c.setConnectionTimeout(8000);
        if (registry != null) {
            c.setMetricRegistry(registry);
        }
        HikariDataSource ds = new HikariDataSource(c);
        source = ds::getConnection;
        closer = ds;
        physical = () -> ds.getHikariPoolMXBean().getTotalConnections();
        active = () -> ds.getHikariPoolMXBean().getActiveConnections();
    }

    private void pooled(UnaryOperator<PooledDataSource.Builder> extra) throws SQLException {
        PooledDataSource ds = extra.apply(PooledDataSource.builder()
                .url(StubDriver.PREFIX + "bench")
                .set("max_connections", Integer.toString(POOL_SIZE))
                .set("max_queue", "1000")
                .set("timeout_ms", "30000")
                .set("service", "bench")).build();
        source = ds::getConnection;
        closer = ds;
        ConnectionPool p = ds.pool();
        physical = p::physicalConnections;
        active = p::active;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        int open = physical.getAsInt();
        int held = active.getAsInt();
        closer.close();
        if (open != POOL_SIZE || held != 0) {
            // Shown in JMH's output; a pool that grew, shrank or leaked a permit makes the score suspect.
            System.out.println("WARNING " + pool + ": physical connections " + open + " (expected " + POOL_SIZE
                    + "), still borrowed " + held);
        }
    }

    /** One borrow and return; the closed connection is returned so that nothing is optimised away. */
    @Benchmark
    public Connection cycle() throws SQLException {
        Connection c = source.get();
        c.close();
        return c;
    }

    /**
     * The cost of one rejected {@code getConnection()}: the caller gets a typed exception with its own stack trace.
     * Each {@code reason} sets up a pool that turns every caller away for that reason:
     * <ul>
     *   <li>{@code queue_full}: one connection, held; {@code max_queue=0}.
     *   <li>{@code breaker_open}: a data source that refuses every connection after the first; callers with a short
     *       timeout run until the breaker opens ({@code breaker_open_ms} 10 min keeps it open).
     *   <li>{@code overloaded}: one connection held for 20 ms at a time until the gradient throttle knows the hold
     *       time, then for good; {@code timeout_ms=5}, so every newcomer's expected wait exceeds its timeout.
     *   <li>{@code rate_limited}: {@code max_acquire_rate=1}: one caller per second gets through (and gives its
     *       connection back), the rest are rejected.
     * </ul>
     * Sample mode: the score's p0.50 is the median per call.
     */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    @Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
    public static class Rejection {
        /** Why callers are turned away. */
        @Param({"queue_full", "breaker_open", "overloaded", "rate_limited"})
        public String reason;

        private ConnectionPool pool;
        private final List<AutoCloseable> held = new java.util.ArrayList<>();
        private volatile boolean stop;
        private Thread holder;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            StubDriver.register();
            dev.pooled.PoolConfig.Builder b = dev.pooled.PoolConfig.builder().service("reject-" + reason)
                    .dbRole("bench").maxConnections(1).maxQueue(100).timeout(Duration.ofMillis(5))
                    .sizing(dev.pooled.SizingMode.FIXED);
            Instrumentation inst = Instrumentation.builder().jmx(false).build();
            switch (reason) {
                case "queue_full":
                    pool = ConnectionPool.start(b.maxQueue(0).build(), stub(), inst);
                    held.add(pool.getConnection());
                    break;
                case "rate_limited":
                    pool = ConnectionPool.start(b.maxAcquireRate(1).build(), stub(), inst);
                    break;
                case "breaker_open": {
                    java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean();
                    javax.sql.DataSource stub = stub();
                    javax.sql.DataSource failing = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
                            getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class},
                            (proxy, m, args) -> {
                                if (m.getName().equals("getConnection") && refuse.get()) {
                                    throw new SQLException("connection refused (benchmark)", "08001");
                                }
                                return m.invoke(stub, args);
                            });
                    pool = ConnectionPool.start(b.breakerFailureRate(50).breakerOpen(Duration.ofMinutes(10))
                            .timeout(Duration.ofMillis(20)).build(), failing, inst);
                    refuse.set(true);
                    pool.softEvictIdle();
                    until("PoolCircuitOpenException", dev.pooled.PoolCircuitOpenException.class);
                    break;
                }
                case "overloaded": {
                    pool = ConnectionPool.start(b.throttling(dev.pooled.ThrottleMode.GRADIENT).build(), stub(), inst);
                    holder = new Thread(() -> {
                        long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                        while (!stop) {
                            try (Connection c = pool.getConnection()) {
                                long hold = System.nanoTime() < warmUntil ? 20 : 600_000;
                                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(hold);
                                while (!stop && System.nanoTime() < end) {
                                    Thread.sleep(1);
                                }
                            } catch (SQLException | InterruptedException e) {
                                // a rejection of the holder itself: try again
                            }
                        }
                    }, "overload-holder");
                    holder.setDaemon(true);
                    holder.start();
                    Thread.sleep(4_500);
                    until("PoolOverloadedException", dev.pooled.PoolOverloadedException.class);
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown reason " + reason);
            }
        }

        private static javax.sql.DataSource stub() {
            return new dev.pooled.benchmarks.stub.StubDataSource();
        }

        /** Calls until the pool rejects with {@code type}: at most 30 s. */
        private void until(String what, Class<? extends SQLException> type) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                try {
                    pool.getConnection().close();
                } catch (SQLException e) {
                    if (type.isInstance(e)) {
                        return;
                    }
                }
                Thread.sleep(1);
            }
            throw new IllegalStateException(reason + ": no " + what + " within 30 s; " + pool.stats());
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            stop = true;
            if (holder != null) {
                holder.interrupt();
                holder.join(5_000);
            }
            for (AutoCloseable c : held) {
                c.close();
            }
            System.out.println(reason + ": " + pool.stats());
            pool.close(Duration.ZERO);
        }

        /** One call that the pool turns away; the exception is returned so that it is not optimised away. */
        @Benchmark
        public Object reject() {
            try {
                Connection c = pool.getConnection();
                c.close();
                return c;
            } catch (SQLException e) {
                return e;
            }
        }
    }
}
