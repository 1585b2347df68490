package dev.pooled.internal;

import dev.pooled.ConnectionBudget;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pool's control loops, run by one daemon thread ({@code pooled-<service>.<db_role>-control}) off the acquire
 * path: Little's-law sizing, gradient throttling, the circuit breaker's feed and the budget claim. The acquire path
 * pays nothing for them: everything here is read from state the pool keeps anyway (the gate's permit and waiter
 * counts, the acquisition and rejection counters).
 *
 * <h2>What is measured</h2>
 * Every {@value #SAMPLE_MILLIS} ms: connections in use and callers queued (one read of the gate's state word each).
 * Every {@value #SAMPLES_PER_EPOCH} samples (an <em>epoch</em>, 100 ms): arrivals (acquisitions plus rejections for
 * want of capacity: queue full, timeout, overloaded) and acquisitions since the last epoch. Over a window of epochs:
 * <pre>
 * λ  = arrivals / T              arrival rate of borrows
 * λs = acquisitions / T          completion rate
 * L  = mean in use               (time average of the samples)
 * W  = L / λs                    mean hold time (Little's law on the connections)
 * a  = λ · W                     offered load: connections wanted if nobody waited or was turned away
 * D  = mean (in use + queued),  P = max (in use + queued)
 * </pre>
 *
 * <h2>Sizing ({@code sizing=littles_law})</h2>
 * <pre>
 * desired = ceil(max(min(a + K·√a, P), D))          K = 1.5
 * grow:    desired over the last 1 s  &gt; size + band                → size = desired, at once
 *          (or &gt; size while at least one caller waited on average over that second)
 * shrink:  desired over the last 5 s + band &lt; size, for 2 s       → size = max(desired, size / 2), then 1 s apart
 *          band = max(1, ceil(size / 10))
 * size     clamped to [min_idle, min(max_connections, budget grant)]
 * </pre>
 * {@code a + K√a} is the Erlang-C rule of thumb for a short queue (research: proxy-backpressure-anchors §6.3); capping
 * it at the peak demand {@code P} keeps a closed-loop workload of N threads at N connections rather than N + K√N;
 * {@code D} makes a saturated pool (whose own λs·W can never exceed its size) grow by the queue it sees. Growth waits
 * for nothing; shrinking needs five seconds of evidence plus two of patience, and halves at most per second. While the
 * throttle holds the limit below the size, the pool does not grow (slow queries would otherwise ask for more
 * connections, the opposite of what a struggling database needs).
 *
 * <h2>Throttling ({@code throttling=gradient})</h2>
 * {@link GradientLimit} turns the recent hold time (over the last 0.5–2 s, until it has 5 completions) against its
 * long-run baseline into a fraction of the size; the gate's limit is {@code max(1, round(fraction · size))}. The same
 * recent hold time gives the queue's service time per position, {@code min(W / limit, T / completions)}, for early
 * rejection, which turns a caller away at once when its place in the queue times that exceeds its timeout by
 * {@value #EARLY_REJECT_MARGIN}x.
 *
 * <h2>Breaker</h2>
 * Every epoch the loop feeds the breaker the acquisitions and failures since the last epoch ({@link Breaker#feed});
 * every sample it refreshes the acquire path's copy of the breaker's state.
 *
 * <p>Not thread-safe except where noted: only the control thread calls {@link #tick(long)}.
 */
public final class ControlLoop {
    static final long SAMPLE_MILLIS = 10;
    static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS);
    static final int SAMPLES_PER_EPOCH = 10;
    static final int GROW_EPOCHS = 10;
    static final int LONG_EPOCHS = 50;
    static final int THROTTLE_MIN_EPOCHS = 5;
    static final int THROTTLE_MAX_EPOCHS = 20;
    static final int THROTTLE_MIN_COMPLETIONS = 5;
    static final double HEADROOM_K = 1.5;
    /**
     * A pool grows by less than its dead band only when callers kept waiting: a mean of at least one queued over the
     * last second. Without it, the noise of a one-second estimate against the five-second one that set the size
     * (and the short queues that the Erlang headroom still allows) would grow a pool by one right after each shrink.
     */
    static final double GROW_MIN_QUEUED = 1.0;
    /**
     * A caller is rejected early only when its expected wait exceeds its timeout by this factor: the estimate comes
     * from the last half second or more, and a caller near the boundary has a fair chance.
     */
    static final double EARLY_REJECT_MARGIN = 1.25;
    static final long SHRINK_DELAY_NANOS = TimeUnit.SECONDS.toNanos(2);
    static final long SHRINK_STEP_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int RING = 64;
    private static final Logger LOG = LoggerFactory.getLogger(ControlLoop.class);

    /** What the loop reads and moves. */
    public interface Plant {
        /** @return permits held now */
        int inUse();

        /** @return callers queued now */
        int queued();

        /** @return acquisitions since the start */
        long acquired();

        /** @return rejections for want of capacity since the start (queue full, timeout, overloaded) */
        long capacityRejections();

        /** @return physical connections open now */
        int physical();

        /** @return whether the pool is paused (admits nobody): its queue then says nothing about demand */
        boolean paused();

        /** @return the most physical connections the pool may now open (its applied size) */
        int physicalMax();

        /** @param size the new number of physical connections to keep; may be 0 (under a budget) */
        void applySize(int size);

        /** @param limit the new limit on connections held at once */
        void applyLimit(int limit);

        /**
         * @param count idle physical connections to close now
         * @return how many were closed
         */
        int evictIdle(int count);

        /**
         * @param from the old size
         * @param to the new size
         * @param reason why
         */
        void resized(int from, int to, String reason);

        /** Called on the control thread at the end of every epoch, for the plant's own periodic upkeep. */
        default void epochEnded() {
        }
    }

    /**
     * What the loop last decided and measured, for stats, the MBean and gauges. Immutable.
     *
     * @param size the size (physical connections to keep) now
     * @param limit the gate's limit now
     * @param arrivalRate λ over the last 5 s, per second
     * @param holdTimeNanos W over the last 5 s, NaN before the first acquisition
     * @param offeredLoad λ·W over the last 5 s, in connections
     * @param recentHoldNanos W over the throttle's recent window, NaN when idle
     * @param baselineHoldNanos the throttle's baseline, NaN before it is known or with throttling off
     * @param throttleFraction share of the size the limit may use, 1 when not throttled
     * @param grant the budget grant, -1 without a budget
     * @param reason why the size last changed
     * @param reasonAtMillis when, epoch milliseconds
     */
    public record Snapshot(int size, int limit, double arrivalRate, double holdTimeNanos, double offeredLoad,
            double recentHoldNanos, double baselineHoldNanos, double throttleFraction, int grant, String reason,
            long reasonAtMillis) {
    }

    private final String pool;
    private final Plant plant;
    private final boolean autosize;
    /**
     * {@code min_idle} (high 32 bits) and {@code max_connections} (low 32 bits) in one word, so that an epoch never
     * sees one side of a change without the other; written by {@link #bounds(int, int)}.
     */
    private volatile long bounds;
    private final GradientLimit throttle;
    private final ConnectionBudget.Claim claim;
    private final Breaker breaker;

    private final long[] dt = new long[RING];
    private final long[] arrivals = new long[RING];
    private final long[] served = new long[RING];
    private final long[] inUseSum = new long[RING];
    private final long[] demandSum = new long[RING];
    private final int[] samples = new int[RING];
    private final int[] demandMax = new int[RING];
    private int head;
    private long epochs;

    private long epochStart;
    private long curInUse;
    private long curDemand;
    private int curMax;
    private int curSamples;
    private long lastAcquired;
    private long lastArrivals;

    private int size;
    private int limit;
    private int grant = -1;
    private long belowSince = -1;
    private long lastShrink = Long.MIN_VALUE / 2;
    private String reason;
    private long reasonAtMillis;

    private volatile Snapshot snapshot;
    private volatile long nanosPerPosition;
    private volatile boolean stopped;
    private Thread thread;

    /**
     * @param pool the pool name, for log lines
     * @param plant what the loop reads and moves
     * @param autosize {@code sizing=littles_law}
     * @param minSize {@code min_idle}
     * @param maxSize {@code max_connections}
     * @param throttling {@code throttling=gradient}
     * @param claim the budget membership, or {@code null}
     * @param breaker the breaker to feed ({@link Breaker#DISABLED} for none)
     * @param initialSize the size the pool started with
     * @param now the clock's reading at the start, nanoseconds
     */
    public ControlLoop(String pool, Plant plant, boolean autosize, int minSize, int maxSize, boolean throttling,
            ConnectionBudget.Claim claim, Breaker breaker, int initialSize, long now) {
        this.pool = pool;
        this.plant = plant;
        this.autosize = autosize;
        this.bounds = ((long) minSize << 32) | maxSize;
        this.throttle = throttling ? new GradientLimit() : null;
        this.claim = claim;
        this.breaker = breaker;
        this.size = initialSize;
        this.limit = initialSize;
        this.grant = claim == null ? -1 : claim.grant();
        this.epochStart = now;
        this.lastAcquired = plant.acquired();
        this.lastArrivals = lastAcquired + plant.capacityRejections();
        this.reason = "started with " + initialSize + (claim == null ? "" : " (budget grant " + grant + ")");
        this.reasonAtMillis = System.currentTimeMillis();
        this.snapshot = new Snapshot(size, limit, 0, Double.NaN, 0, Double.NaN, Double.NaN, 1.0, grant, reason,
                reasonAtMillis);
    }

    /**
     * Moves the size bounds (a live {@code min_idle} / {@code max_connections} change). The loop applies them at its
     * next epoch: the size is clamped into them, the gate's limit follows the size (a lower limit leaves a debt that
     * returns pay off) and idle connections above the size are closed. Any thread.
     *
     * @param minSize the new {@code min_idle}
     * @param maxSize the new {@code max_connections}, at least {@code minSize}
     */
    public void bounds(int minSize, int maxSize) {
        this.bounds = ((long) minSize << 32) | maxSize;
    }

    /** @return the latest decisions and measurements; any thread */
    public Snapshot snapshot() {
        return snapshot;
    }

    /**
     * @return the expected wait per queue position in nanoseconds (recent hold time / limit) for early rejection;
     *         0 when unknown or with throttling off. Any thread.
     */
    public long nanosPerPosition() {
        return nanosPerPosition;
    }

    /**
     * Starts the daemon thread that calls {@link #tick(long)} every {@value #SAMPLE_MILLIS} ms.
     *
     * @param threadName its name
     */
    public void start(String threadName) {
        Thread t = new Thread(this::run, threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Stops the thread (it finishes its current tick) and waits briefly for it. */
    public void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long next = System.nanoTime();
        long lastWarn = 0;
        while (!stopped) {
            next += SAMPLE_NANOS;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
            } else if (wait < -10 * SAMPLE_NANOS) {
                next = System.nanoTime(); // fell behind (GC, suspended VM): resume the rhythm, do not catch up
            }
            if (stopped) {
                return;
            }
            try {
                tick(System.nanoTime());
            } catch (RuntimeException | Error e) {
                long t = System.nanoTime();
                if (t - lastWarn > TimeUnit.MINUTES.toNanos(1) || lastWarn == 0) {
                    lastWarn = t;
                    LOG.warn("pool {}: control loop failed; it keeps running", pool, e);
                }
            }
        }
    }

    /**
     * One sample; every {@value #SAMPLES_PER_EPOCH}th also ends an epoch and decides.
     *
     * @param now the clock's reading, nanoseconds
     */
    public void tick(long now) {
        int u = plant.inUse();
        int d = u + plant.queued();
        curInUse += u;
        curDemand += d;
        curMax = Math.max(curMax, d);
        curSamples++;
        breaker.refresh();
        if (curSamples >= SAMPLES_PER_EPOCH) {
            endEpoch(now);
        }
    }

    private void endEpoch(long now) {
        long acq = plant.acquired();
        long arr = acq + plant.capacityRejections();
        breaker.feed(acq);
        int i = head;
        dt[i] = Math.max(1L, now - epochStart);
        arrivals[i] = Math.max(0L, arr - lastArrivals);
        served[i] = Math.max(0L, acq - lastAcquired);
        inUseSum[i] = curInUse;
        demandSum[i] = curDemand;
        samples[i] = curSamples;
        demandMax[i] = curMax;
        head = (i + 1) % RING;
        epochs++;
        lastAcquired = acq;
        lastArrivals = arr;
        epochStart = now;
        curInUse = 0;
        curDemand = 0;
        curMax = 0;
        curSamples = 0;
        decide(now);
        plant.epochEnded();
    }

    /** Sums over the last {@code k} epochs (fewer at the start). */
    private final class Window {
        double seconds;
        long arrivals;
        long served;
        double meanInUse;
        double meanDemand;
        int peak;
        int epochs;

        Window(int k) {
            int n = (int) Math.min(k, ControlLoop.this.epochs);
            long t = 0;
            long in = 0;
            long dem = 0;
            long s = 0;
            for (int j = 1; j <= n; j++) {
                int e = Math.floorMod(head - j, RING);
                t += dt[e];
                arrivals += ControlLoop.this.arrivals[e];
                served += ControlLoop.this.served[e];
                in += inUseSum[e];
                dem += demandSum[e];
                s += samples[e];
                peak = Math.max(peak, demandMax[e]);
            }
            epochs = n;
            seconds = t / 1e9;
            meanInUse = s == 0 ? 0 : (double) in / s;
            meanDemand = s == 0 ? 0 : (double) dem / s;
        }

        double arrivalRate() {
            return seconds == 0 ? 0 : arrivals / seconds;
        }

        /** @return W in seconds; NaN when nothing completed */
        double holdSeconds() {
            return served == 0 ? Double.NaN : meanInUse * seconds / served;
        }

        /** @return λ·W: connections wanted if nobody waited or was turned away */
        double offeredLoad() {
            return served == 0 ? meanInUse : meanInUse * ((double) arrivals / served);
        }

        int desired() {
            if (epochs == 0) {
                return 0;
            }
            double a = offeredLoad();
            double withHeadroom = Math.min(a + HEADROOM_K * Math.sqrt(a), peak);
            return (int) Math.ceil(Math.max(withHeadroom, meanDemand) - 1e-9);
        }
    }

    private void decide(long now) {
        Window grow = new Window(GROW_EPOCHS);
        Window longer = new Window(LONG_EPOCHS);

        double fraction = 1.0;
        boolean slow = false;
        double recent = Double.NaN;
        if (throttle != null) {
            Window w = new Window(THROTTLE_MIN_EPOCHS);
            for (int k = THROTTLE_MIN_EPOCHS + 1; w.served < THROTTLE_MIN_COMPLETIONS && k <= THROTTLE_MAX_EPOCHS
                    && k <= epochs; k++) {
                w = new Window(k);
            }
            // With some completions, L·T/completions; with none while connections are held, L·T: a stall counts as
            // one completion just now, which only understates it.
            recent = w.meanInUse <= 0 ? Double.NaN : w.meanInUse * w.seconds / Math.max(1L, w.served);
            boolean busy = limit > 0 && w.meanInUse >= 0.5 * limit;
            fraction = throttle.update(recent, busy);
            slow = fraction < 1.0 || throttle.gradient() < 1.0;
            // Time per place in the queue: the hold time shared by the permits, or the recent time between
            // completions when that is shorter (it is while the limit was just lowered below the permits held).
            double perPlace = (Double.isNaN(recent) ? throttle.baseline() : recent) / Math.max(1, limit);
            if (w.served > 0) {
                perPlace = Math.min(perPlace, w.seconds / w.served);
            }
            nanosPerPosition = throttle.warm() && limit > 0 && perPlace > 0 && !Double.isNaN(perPlace)
                    ? (long) Math.min(Long.MAX_VALUE / 4, perPlace * 1e9 / EARLY_REJECT_MARGIN) : 0L;
        }

        int target = size;
        String why = null;
        long b = bounds;
        int minSize = (int) (b >>> 32);
        int maxSize = (int) b;
        if (!autosize) {
            target = maxSize;
        } else if (plant.paused()) {
            belowSince = -1;
        } else {
            int dShort = grow.desired();
            int dLong = longer.desired();
            int band = Math.max(1, (size + 9) / 10);
            if (dShort > size + band || (dShort > size && grow.meanDemand - grow.meanInUse >= GROW_MIN_QUEUED)) {
                belowSince = -1;
                if (slow) {
                    // Throttled, or about to be: the database is slow, not short of connections.
                    target = size;
                } else {
                    target = dShort;
                    why = describe("grow", size, Math.min(dShort, maxSize), grow, "1 s");
                }
            } else if (epochs >= LONG_EPOCHS && dLong + band < size) {
                if (belowSince < 0) {
                    belowSince = now;
                }
                if (now - belowSince >= SHRINK_DELAY_NANOS && now - lastShrink >= SHRINK_STEP_NANOS) {
                    target = Math.max(dLong, size - Math.max(1, size / 2));
                    lastShrink = now;
                    why = describe("shrink", size, Math.max(target, minSize), longer, "5 s");
                }
            } else {
                belowSince = -1;
            }
        }
        target = Math.max(minSize, Math.min(maxSize, target));
        if (claim != null) {
            int held = Math.max(Math.max(plant.physicalMax(), plant.physical()), plant.inUse());
            int g = claim.update(target, held);
            if (g != grant && g < target && target > 0) {
                why = "budget: grant " + g + " of " + claim + " caps the size (wanted " + target + ")";
            }
            grant = g;
            if (target > g) {
                target = g;
            }
        }
        if (target != size) {
            int from = size;
            size = target;
            plant.applySize(target);
            if (why == null) {
                why = (target > from ? "grow" : "shrink") + " to " + target;
            }
            reason = why;
            reasonAtMillis = System.currentTimeMillis();
            plant.resized(from, target, why);
        }
        int newLimit = size == 0 ? 0 : Math.max(1, Math.min(size, (int) Math.round(fraction * size)));
        if (newLimit != limit) {
            limit = newLimit;
            plant.applyLimit(newLimit);
        }
        int surplus = plant.physical() - Math.max(size, 0);
        if (surplus > 0) {
            plant.evictIdle(surplus);
        }
        double w = longer.holdSeconds();
        snapshot = new Snapshot(size, limit, longer.arrivalRate(), Double.isNaN(w) ? Double.NaN : w * 1e9,
                longer.offeredLoad(), Double.isNaN(recent) ? Double.NaN : recent * 1e9,
                throttle == null ? Double.NaN : throttle.baseline() * 1e9, fraction, grant, reason, reasonAtMillis);
    }

    private static String describe(String verb, int from, int to, Window w, String span) {
        double hold = w.holdSeconds();
        return String.format(Locale.ROOT, "%s %d -> %d: over the last %s λ=%.1f/s, W=%s, λ·W=%.2f, in use %.2f,"
                + " queued %.2f, peak %d", verb, from, to, span, w.arrivalRate(),
                Double.isNaN(hold) ? "n/a" : String.format(Locale.ROOT, "%.2f ms", hold * 1e3), w.offeredLoad(),
                w.meanInUse, w.meanDemand - w.meanInUse, w.peak);
    }
}
