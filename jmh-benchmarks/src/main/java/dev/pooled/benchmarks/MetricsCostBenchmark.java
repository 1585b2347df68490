package dev.pooled.benchmarks;

import dev.pooled.Instrumentation;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one recording costs, piece by piece, to explain what metrics add to a borrow ({@link AcquireReleaseBenchmark}
 * {@code pooled} against {@code pooled-prometheus}): a Micrometer timer record in a live Prometheus registry with the
 * library's default SLO buckets and without any, the clock reads inside them and inside HikariCP's metrics tracker,
 * an HdrHistogram {@link Recorder} record (behind {@code PoolStats}) and a {@link LongAdder} increment. The recorded
 * values vary over 1 µs to 1 ms so that the histogram bucket search is not constant.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms256m", "-Xmx256m"})
public class MetricsCostBenchmark {
    private Timer sloTimer;
    private Timer plainTimer;
    private final Recorder recorder = new Recorder(TimeUnit.HOURS.toNanos(1), 2);
    private final LongAdder adder = new LongAdder();
    private long next;

    @Setup
    public void setUp() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        sloTimer = Timer.builder("bench.slo").serviceLevelObjectives(
                Instrumentation.DEFAULT_SLOS.toArray(new Duration[0])).register(registry);
        plainTimer = Timer.builder("bench.plain").register(registry);
    }

    private long value() {
        return 1_000L + (next++ & 0xFFFFF); // 1 µs .. ~1 ms
    }

    /** A Micrometer timer record, Prometheus registry, the library's default SLO buckets. */
    @Benchmark
    public void timerWithSlos() {
        sloTimer.record(value(), TimeUnit.NANOSECONDS);
    }

    /** The same without buckets: count, sum and max only. */
    @Benchmark
    public void timerWithoutSlos() {
        plainTimer.record(value(), TimeUnit.NANOSECONDS);
    }

    /** What HikariCP's metrics tracker reads twice per borrow and return. */
    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    /** What Micrometer's max and histogram windows read on every record. */
    @Benchmark
    public long currentTimeMillis() {
        return System.currentTimeMillis();
    }

    /** An HdrHistogram record, as {@code PoolStats} keeps for waits of 10 µs or more. */
    @Benchmark
    public void hdrRecorder() {
        recorder.recordValue(value());
    }

    /** A counter increment, uncontended. */
    @Benchmark
    public void longAdder() {
        adder.increment();
    }
}
