package dev.pooled.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pooled.ConnectionPool;
import dev.pooled.Instrumentation;
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
    @Param({"hikari", "pooled", "pooled-driver", "pooled-adaptive", "pooled-static", "pooled-prometheus",
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
        // A borrowed connection must be the pool's: check once, outside the measurement.
        try (Connection c = source.get()) {
            if (c.isClosed() || !c.isValid(1)) {
                throw new IllegalStateException(pool + " handed out a dead connection");
            }
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
}
