package dev.pooled.internal;

import dev.pooled.DatabaseLoad;

/**
 * The adaptive-throttling arithmetic: a fraction of the pool size that the limit may use, driven by the ratio of a
 * long-run baseline latency to the recent one, after Netflix concurrency-limits' {@code Gradient2Limit}. The latency
 * is the database's: statement time where the pool sees statements (transaction mode), and the server's own mean
 * statement time from the {@link DatabaseSampler}. Never the time callers hold connections: an application may hold
 * one for minutes at an idle database. One instance per signal, each with its own update rate.
 *
 * <pre>
 * gradient = clamp(TOLERANCE × baseline / recent, MIN_FRACTION, 1)
 * fraction += (gradient − fraction) × (gradient &lt; fraction ? down : up)     (down only while busy)
 * baseline: mean of the first warmup recent values, then an EWMA with a time constant of tau updates of
 *           min(recent, 2 × baseline);
 *           when recent &lt; baseline / 2 the baseline decays by 10 % per update (towards recent)
 * </pre>
 *
 * <p>Unlike {@code Gradient2Limit} the limit is proportional to the pool size rather than recursive
 * ({@code limit × gradient + queueSize}), so its steady state under a slow database does not depend on a
 * queue-size constant and it never creeps upward under modest overload (concurrency-limits PR #134). Not
 * thread-safe: only the control thread uses it.
 */
final class GradientLimit {
    /** How much slower than its baseline the hold time may get before the limit falls. */
    static final double TOLERANCE = 1.5;
    /** The limit never falls below this share of the pool size (and never below one connection). */
    static final double MIN_FRACTION = 0.25;
    /** Smoothing per 100 ms epoch when the limit falls. */
    static final double DOWN = 0.5;
    /** Smoothing per 100 ms epoch when the limit rises. */
    static final double UP = 0.2;
    /** Epochs of the baseline's EWMA time constant: 30 s. */
    static final double TAU = 300;
    /** Epochs of data before the limit may fall at all: 2 s. */
    static final int WARMUP = 20;

    private final double down;
    private final double up;
    private final double tau;
    private final int warmup;
    private double fraction = 1.0;
    private double gradient = 1.0;
    private double baseline = Double.NaN;
    private int samples;

    /** Updated every 100 ms epoch (statement latency). */
    GradientLimit() {
        this(DOWN, UP, TAU, WARMUP);
    }

    /**
     * @param down smoothing per update when the limit falls
     * @param up smoothing per update when it rises
     * @param tau updates in the baseline's time constant
     * @param warmup updates of data before the limit may fall
     */
    GradientLimit(double down, double up, double tau, int warmup) {
        this.down = down;
        this.up = up;
        this.tau = tau;
        this.warmup = warmup;
    }

    /** @return the limit for the database sampler: one update per sample ({@value DatabaseLoad#SAMPLE_PERIOD_MILLIS} ms) */
    static GradientLimit perSample() {
        // 0.5 s per update: falls by half the gap per sample, rises over a few seconds, 30 s baseline, 3 s warm-up.
        return new GradientLimit(0.5, 0.5, 60, 6);
    }

    /**
     * @param recent mean latency over the recent window in seconds; NaN when idle (nothing ran)
     * @param busy whether at least half the limit was in use on average over that window
     * @return the new fraction of the pool size the limit may use, {@link #MIN_FRACTION} to 1
     */
    double update(double recent, boolean busy) {
        if (Double.isNaN(recent) || recent <= 0) {
            // Idle: nothing to learn; drift back to the full size so an idle pool is never left throttled.
            fraction = Math.min(1.0, fraction + (1.0 - fraction) * up);
            gradient = 1.0;
            return round();
        }
        if (samples < warmup) {
            baseline = samples == 0 ? recent : baseline + (recent - baseline) / (samples + 1);
            samples++;
            return fraction;
        }
        // Winsorized at twice the baseline: a stall (or an outage, where permits are held by callers waiting for a
        // connection) must not drag the baseline up in a few seconds; a lasting slowdown is still learnt, at up to
        // a third of a percent per epoch (a doubling in about 20 s).
        baseline += (Math.min(recent, 2 * baseline) - baseline) / tau;
        if (recent < baseline / 2) {
            baseline = Math.max(recent, baseline * 0.9);
        }
        gradient = Math.max(MIN_FRACTION, Math.min(1.0, TOLERANCE * baseline / recent));
        if (gradient < fraction) {
            if (busy) {
                fraction += (gradient - fraction) * down;
            }
        } else {
            fraction += (gradient - fraction) * up;
        }
        return round();
    }

    private double round() {
        if (fraction > 0.995) {
            fraction = 1.0;
        }
        return fraction;
    }

    /** @return the last unsmoothed gradient: below 1 while the recent latency exceeds the tolerated baseline */
    double gradient() {
        return gradient;
    }

    /** @return the fraction last returned */
    double fraction() {
        return fraction;
    }

    /** @return the baseline latency in seconds; NaN before the first value */
    double baseline() {
        return baseline;
    }

    /** @return whether the baseline has its warm-up values */
    boolean warm() {
        return samples >= warmup;
    }
}
