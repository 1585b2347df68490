package dev.pooled.benchmarks;

import com.vladmihalcea.flexypool.FlexyPoolDataSource;
import com.vladmihalcea.flexypool.adaptor.HikariCPPoolAdapter;
import com.vladmihalcea.flexypool.config.FlexyPoolConfiguration;
import com.vladmihalcea.flexypool.strategy.IncrementPoolOnTimeoutConnectionAcquisitionStrategy;
import com.vladmihalcea.flexypool.strategy.RetryConnectionAcquisitionStrategy;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pooled.Instrumentation;
import dev.pooled.benchmarks.stub.FloorDriver;
import dev.pooled.benchmarks.stub.StubDriver;
import dev.pooled.jdbc.PooledDataSource;
import dev.pooled.jdbc.PooledDriver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
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
import software.amazon.jdbc.ConnectionProviderManager;
import software.amazon.jdbc.HikariPooledConnectionProvider;
import software.amazon.jdbc.HostSpec;

/**
 * {@code getConnection(); close();} over the no-I/O stub driver for us and every in-process peer, side by side in
 * one JMH run (each value its own fork). Run by {@link PeerBench} at 1, 4 and 8 threads with {@code -prof gc}.
 *
 * <ul>
 *   <li>{@code hikari}: raw HikariCP, 32 connections, fixed size (the baseline of every ratio).
 *   <li>{@code hikari-micrometer}: the same with HikariCP's own Micrometer tracker on a Prometheus registry.
 *   <li>{@code pooled}: {@link PooledDataSource} at the library's defaults (32 connections), meters in a registry
 *       nobody reads ({@link Instrumentation#defaults()}: Micrometer's global composite with no registry added).
 *   <li>{@code pooled-micrometer}: the same with its meters in a live Prometheus registry.
 *   <li>{@code pooled-driver}: {@code DriverManager.getConnection("jdbc:pooled:stub:...")}: an application that
 *       only changed its URL.
 *   <li>{@code drivermanager-floor}: {@code DriverManager.getConnection} on {@link FloorDriver} (one cached
 *       connection, nothing else), registered where {@link PooledDriver} sits in DriverManager's list: what
 *       DriverManager alone costs, the floor under {@code pooled-driver}.
 *   <li>{@code flexy-hikari}: FlexyPool 3.0.2 over the same HikariCP, with its two usual strategies
 *       (increment pool on timeout, retry) and its default Dropwizard metrics.
 *   <li>{@code aws-wrapper-hikari}: the AWS Advanced JDBC Wrapper 2.6.4 with its internal HikariCP pooling
 *       ({@code HikariPooledConnectionProvider}, told to accept a non-RDS host), no plugins, through
 *       {@code DriverManager.getConnection("jdbc:aws-wrapper:stub://127.0.0.1:5432/bench")} — the wrapper needs a
 *       host in the URL, which the stub driver ignores.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class PeerAcquireBenchmark {
    static final int POOL_SIZE = 32;

    /** Which pool to measure. */
    @Param({"hikari", "hikari-micrometer", "pooled", "pooled-micrometer", "pooled-driver", "drivermanager-floor",
        "flexy-hikari", "aws-wrapper-hikari"})
    public String pool;

    /** Where a connection comes from. */
    interface Source {
        Connection get() throws SQLException;
    }

    private Source source;
    private AutoCloseable closer;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        StubDriver.register();
        switch (pool) {
            case "hikari": {
                HikariDataSource ds = hikari(null);
                source = ds::getConnection;
                closer = ds;
                break;
            }
            case "hikari-micrometer": {
                HikariDataSource ds = hikari(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                source = ds::getConnection;
                closer = ds;
                break;
            }
            case "pooled":
                pooled(Instrumentation.defaults());
                break;
            case "pooled-micrometer":
                pooled(Instrumentation.builder()
                        .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).build());
                break;
            case "pooled-driver": {
                String url = "jdbc:pooled:stub:peer?pooled.max_connections=" + POOL_SIZE + "&pooled.service=peer";
                DriverManager.getConnection(url).close();
                source = () -> DriverManager.getConnection(url);
                closer = () -> PooledDriver.registry().close(Duration.ofSeconds(5));
                break;
            }
            case "drivermanager-floor": {
                // H1's floor, in the place PooledDriver holds in DriverManager's list: the same drivers are asked
                // (and say no) before it as before ours.
                FloorDriver.registerInPlaceOf(PooledDriver.class);
                String url = FloorDriver.PREFIX + "peer?pooled.max_connections=" + POOL_SIZE + "&pooled.service=peer";
                source = () -> DriverManager.getConnection(url);
                closer = () -> { };
                break;
            }
            case "flexy-hikari": {
                HikariDataSource target = hikari(null);
                FlexyPoolDataSource<HikariDataSource> ds = new FlexyPoolDataSource<>(
                        new FlexyPoolConfiguration.Builder<>("peer-flexy", target, HikariCPPoolAdapter.FACTORY)
                                .setJmxEnabled(false).build(),
                        new IncrementPoolOnTimeoutConnectionAcquisitionStrategy.Factory<>(5),
                        new RetryConnectionAcquisitionStrategy.Factory<>(2));
                ds.start();
                source = ds::getConnection;
                closer = () -> {
                    ds.stop();
                    target.close();
                };
                break;
            }
            case "aws-wrapper-hikari": {
                HikariPooledConnectionProvider provider = new HikariPooledConnectionProvider(
                        (HostSpec host, Properties props) -> {
                            HikariConfig c = new HikariConfig();
                            c.setMaximumPoolSize(POOL_SIZE);
                            c.setMinimumIdle(POOL_SIZE);
                            c.setConnectionTimeout(8000);
                            return c;
                        }, null, (HostSpec host, Properties props) -> true,
                        // pool expiry check and cleanup intervals: long, so one pool serves the whole run
                        TimeUnit.MINUTES.toNanos(30), TimeUnit.MINUTES.toNanos(30));
                ConnectionProviderManager.setConnectionProvider(provider);
                Properties props = new Properties();
                props.setProperty("wrapperPlugins", "");
                String url = "jdbc:aws-wrapper:stub://127.0.0.1:5432/bench";
                DriverManager.getConnection(url, props).close();
                source = () -> DriverManager.getConnection(url, props);
                closer = () -> {
                    provider.releaseResources();
                    ConnectionProviderManager.resetProvider();
                };
                break;
            }
            default:
                throw new IllegalArgumentException("unknown pool " + pool);
        }
        try (Connection c = source.get()) {
            if (c.isClosed() && !pool.equals("drivermanager-floor")) {
                throw new IllegalStateException(pool + " handed out a closed connection");
            }
        }
    }

    private static HikariDataSource hikari(PrometheusMeterRegistry registry) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("peer-hikari");
        c.setJdbcUrl(StubDriver.PREFIX + "peer");
        c.setMaximumPoolSize(POOL_SIZE);
        c.setMinimumIdle(POOL_SIZE);
        c.setConnectionTimeout(8000);
        if (registry != null) {
            c.setMetricRegistry(registry);
        }
        return new HikariDataSource(c);
    }

    private void pooled(Instrumentation instrumentation) throws SQLException {
        PooledDataSource ds = PooledDataSource.builder().url(StubDriver.PREFIX + "peer")
                .instrumentation(instrumentation)
                .set("max_connections", Integer.toString(POOL_SIZE)).set("service", "peer").build();
        source = ds::getConnection;
        closer = ds;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        closer.close();
    }

    /** One borrow and return. */
    @Benchmark
    public Connection cycle() throws SQLException {
        Connection c = source.get();
        c.close();
        return c;
    }
}
