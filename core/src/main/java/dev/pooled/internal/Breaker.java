package dev.pooled.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool's circuit breaker: a resilience4j {@link CircuitBreaker} fed so that the acquire path never touches it while
 * it is closed.
 *
 * <p>Failures are physical acquisitions that failed or timed out in HikariCP (a timeout only when no physical
 * connection opened while the caller waited: one that did means the pool was filling, not failing), and failed
 * attempts to open a physical connection (reported as they happen by HikariCP's connection adder). Successes are
 * acquisitions. Gate outcomes (queue full, timeouts at the gate, overload) are not failures: overload is the
 * throttle's business, and counting it would turn every overload into an outage.
 *
 * <p>resilience4j records each outcome in its sliding window under a lock (or a CAS loop), which would put every
 * borrow of every thread through one contended structure. Instead, while the breaker is closed, the acquire path
 * only reads {@link #state()} (one volatile read); a failed physical acquisition adds to a {@link LongAdder}; and the
 * pool's control thread {@linkplain #feed(long) feeds} the breaker the successes (from the pool's
 * acquisition counter, which exists anyway) and failures since its last feed, every 100 ms, through the lambda-free
 * {@link CircuitBreaker#onSuccess} and {@link CircuitBreaker#onError}. Above {@value #MAX_FEED} outcomes in one feed
 * both counts are scaled down in proportion (at least one failure is kept), which bounds the control thread's work
 * and keeps the failure rate. While the breaker is open or half-open the acquire path calls
 * {@link CircuitBreaker#tryAcquirePermission()} itself, and half-open probes report their own outcome.
 *
 * <p>Window: time-based, {@value #WINDOW_SECONDS} s (so that the successes before an outage stop counting soon after
 * it begins); at least {@value #MIN_CALLS} outcomes before it may open;
 * {@value #HALF_OPEN_PROBES} probes in half-open. Thread-safe.
 */
public final class Breaker {
    public static final int CLOSED = 0;
    public static final int OPEN = 1;
    public static final int HALF_OPEN = 2;
    /** No breaker: {@link #state()} is always {@link #CLOSED}. */
    public static final Breaker DISABLED = new Breaker();

    static final int MAX_FEED = 200;
    static final int WINDOW_SECONDS = 2;
    static final int MIN_CALLS = 5;
    static final int HALF_OPEN_PROBES = 2;

    private static final Logger LOG = LoggerFactory.getLogger(Breaker.class);
    /** What the scaled failures are recorded as: their count matters to resilience4j, not their identity. */
    private static final Exception RECORDED_FAILURE = new Exception("physical acquisition failed", null, false, false) {
        private static final long serialVersionUID = 1L;
    };

    /** The acquire path's view; written by {@link #refresh()} only. */
    private volatile int state;

    private final String pool;
    private final CircuitBreaker cb;
    private final LongAdder failures = new LongAdder();
    private volatile Throwable lastFailure;
    private volatile long openedAtMillis;
    private long fedServed;
    private long fedFailures;

    private Breaker() {
        this.pool = null;
        this.cb = null;
    }

    /**
     * @param pool the pool name, for the breaker's name and log lines
     * @param failureRatePercent 1 to 100
     * @param open how long it stays open before letting probes through
     * @param clock resilience4j's clock (the window buckets and the open time); tests pass their own
     */
    public Breaker(String pool, int failureRatePercent, Duration open, Clock clock) {
        this.pool = pool;
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .slidingWindowSize(WINDOW_SECONDS)
                .minimumNumberOfCalls(MIN_CALLS)
                .failureRateThreshold(failureRatePercent)
                .waitDurationInOpenState(open)
                .permittedNumberOfCallsInHalfOpenState(HALF_OPEN_PROBES)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .clock(clock)
                .build();
        this.cb = CircuitBreaker.of("pooled-" + pool, config);
    }

    /** @return the acquire path's view: {@link #CLOSED}, {@link #OPEN} or {@link #HALF_OPEN}; one volatile read */
    public int state() {
        return state;
    }

    /** @return whether this is a real breaker */
    public boolean enabled() {
        return cb != null;
    }

    /**
     * Counts a failed physical acquisition made while the breaker was closed.
     *
     * @param failure what failed
     */
    public void failed(Throwable failure) {
        if (cb != null) {
            lastFailure = failure;
            failures.increment();
        }
    }

    /** @return the last physical acquisition failure recorded, or {@code null} */
    public Throwable lastFailure() {
        return lastFailure;
    }

    /** @return when the breaker last opened (epoch milliseconds), 0 if never */
    public long openedAtMillis() {
        return openedAtMillis;
    }

    /**
     * For callers that found the breaker not closed: may this one try (a half-open probe)?
     *
     * @return whether the caller may go on
     */
    public boolean tryAcquirePermission() {
        boolean ok = cb.tryAcquirePermission();
        refresh();
        return ok;
    }

    /** A probe was turned away before it reached the database (queue full, timeout at the gate): not an outcome. */
    public void releasePermission() {
        cb.releasePermission();
    }

    /**
     * @param nanos how long the probe took
     */
    public void probeSucceeded(long nanos) {
        cb.onSuccess(nanos, TimeUnit.NANOSECONDS);
        refresh();
    }

    /**
     * @param nanos how long the probe took
     * @param failure what failed
     */
    public void probeFailed(long nanos, Throwable failure) {
        lastFailure = failure;
        cb.onError(nanos, TimeUnit.NANOSECONDS, failure);
        refresh();
    }

    /**
     * Feeds the outcomes since the last feed. Only the control thread calls this.
     *
     * @param served the pool's acquisitions since it started (successes, probes included)
     */
    public void feed(long served) {
        if (cb == null) {
            return;
        }
        long f = failures.sum();
        long ds = served - fedServed;
        long df = f - fedFailures;
        fedServed = served;
        fedFailures = f;
        // Outcomes while not closed were probes (recorded by themselves) or rejected; they are not fed again.
        if (state == CLOSED && cb.getState() == CircuitBreaker.State.CLOSED && ds + df > 0) {
            long total = ds + df;
            if (total > MAX_FEED) {
                long scaledF = df == 0 ? 0 : Math.max(1, Math.round((double) df * MAX_FEED / total));
                ds = MAX_FEED - scaledF;
                df = scaledF;
            }
            for (long i = 0; i < df; i++) {
                cb.onError(0, TimeUnit.NANOSECONDS, RECORDED_FAILURE);
            }
            for (long i = 0; i < ds; i++) {
                cb.onSuccess(0, TimeUnit.NANOSECONDS);
            }
        }
        refresh();
    }

    /** Brings {@link #state()} in line with the breaker's; logs transitions. Cheap: a few volatile reads. */
    public void refresh() {
        if (cb == null) {
            return;
        }
        int now = switch (cb.getState()) {
            case CLOSED, DISABLED, METRICS_ONLY -> CLOSED;
            case HALF_OPEN -> HALF_OPEN;
            default -> OPEN;
        };
        int was = state;
        if (now != was) {
            state = now;
            if (now == OPEN && was == CLOSED) {
                openedAtMillis = System.currentTimeMillis();
                LOG.warn("pool {}: circuit breaker opened: {}% of physical acquisitions failed in the last {} s;"
                        + " rejecting callers at once", pool, Math.round(cb.getMetrics().getFailureRate()),
                        WINDOW_SECONDS, lastFailure);
            } else if (now == CLOSED) {
                LOG.info("pool {}: circuit breaker closed: probes got connections", pool);
            }
        }
    }

    /** @return {@code closed}, {@code open}, {@code half_open}, or {@code disabled} */
    public String stateName() {
        if (cb == null) {
            return "disabled";
        }
        return switch (state) {
            case OPEN -> "open";
            case HALF_OPEN -> "half_open";
            default -> "closed";
        };
    }

    /** @return the failure rate resilience4j computes over its window, in percent; -1 before it has enough calls */
    public float failureRate() {
        return cb == null ? -1f : cb.getMetrics().getFailureRate();
    }
}
