package dev.pooled;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.opentelemetry.api.trace.Tracer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a pool is observed: where its meters go, who hears its events, and whether it is traced. Immutable and
 * thread-safe; build one with {@link #builder()}. These are live objects, so they are not part of
 * {@link PoolConfig}.
 *
 * @since 0.1.0
 */
public final class Instrumentation {
    /**
     * Default SLO boundaries of the wait, use and transaction time histograms. They answer "is p99 under 10 ms" (and
     * 1, 5, 50 ms ...) straight from a Prometheus {@code _bucket} series.
     */
    public static final List<Duration> DEFAULT_SLOS = List.of(Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(5));

    private static final Instrumentation DEFAULTS = builder().build();

    private final MeterRegistry meterRegistry;
    private final PoolListener listener;
    private final Tracer tracer;
    private final List<Duration> slos;
    private final double[] percentiles;
    private final boolean jmx;

    private Instrumentation(Builder b) {
        this.meterRegistry = b.meterRegistry;
        this.listener = b.listener;
        this.tracer = b.tracer;
        this.slos = List.copyOf(b.slos);
        this.percentiles = b.percentiles.clone();
        this.jmx = b.jmx;
    }

    /** @return meters in {@link Metrics#globalRegistry}, no listener, no tracing, JMX on */
    public static Instrumentation defaults() {
        return DEFAULTS;
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return where meters are registered */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** @return the listener; {@link PoolListener#NONE} when there is none */
    public PoolListener listener() {
        return listener;
    }

    /** @return the tracer, or {@code null} when tracing is off */
    public Tracer tracer() {
        return tracer;
    }

    /** @return SLO boundaries of the timing histograms */
    public List<Duration> slos() {
        return slos;
    }

    /** @return client-side percentiles published with each timer (empty by default: they cost on every record) */
    public double[] percentiles() {
        return percentiles.clone();
    }

    /** @return whether each pool registers an MBean */
    public boolean jmx() {
        return jmx;
    }

    /** Not thread-safe. */
    public static final class Builder {
        private MeterRegistry meterRegistry = Metrics.globalRegistry;
        private PoolListener listener = PoolListener.NONE;
        private Tracer tracer;
        private List<Duration> slos = DEFAULT_SLOS;
        private double[] percentiles = new double[0];
        private boolean jmx = true;

        private Builder() {
        }

        /** @param registry where meters go; @return this */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** @param listener receives events; @return this */
        public Builder listener(PoolListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** @param tracer spans around acquisitions (and transactions, with track_transactions); null = off; @return this */
        public Builder tracer(Tracer tracer) {
            this.tracer = tracer;
            return this;
        }

        /**
         * @param slos histogram boundaries, each positive
         * @return this
         * @throws IllegalArgumentException if one is zero or negative
         */
        public Builder slos(List<Duration> slos) {
            List<Duration> copy = new ArrayList<>(slos);
            for (Duration d : copy) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("SLO boundaries must be positive but one was " + d);
                }
            }
            this.slos = copy;
            return this;
        }

        /**
         * @param percentiles each in (0, 1), for example 0.5, 0.99
         * @return this
         * @throws IllegalArgumentException if one is out of range
         */
        public Builder percentiles(double... percentiles) {
            for (double p : percentiles) {
                if (!(p > 0 && p < 1)) {
                    throw new IllegalArgumentException("percentiles must be between 0 and 1 (exclusive) but one was "
                            + p);
                }
            }
            this.percentiles = percentiles.clone();
            return this;
        }

        /** @param jmx whether to register an MBean per pool; @return this */
        public Builder jmx(boolean jmx) {
            this.jmx = jmx;
            return this;
        }

        /** @return the instrumentation */
        public Instrumentation build() {
            return new Instrumentation(this);
        }
    }

    @Override
    public String toString() {
        return "Instrumentation[registry=" + meterRegistry.getClass().getSimpleName() + ", listener="
                + (listener == PoolListener.NONE ? "none" : listener.getClass().getName()) + ", tracing="
                + (tracer != null) + ", jmx=" + jmx + "]";
    }
}
