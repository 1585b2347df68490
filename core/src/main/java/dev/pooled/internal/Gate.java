package dev.pooled.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Admission in front of the physical pool: at most {@code limit} permits are out at once, at most {@code maxQueue}
 * callers wait, waiters are served by priority (highest first) then arrival, and each waits until its deadline.
 * When the queue is full, an arrival of higher priority than some waiter displaces the newest waiter of the lowest
 * priority present, which gets {@link #QUEUE_FULL} as if it had arrived to a full queue; an arrival of no higher
 * priority than every waiter gets {@link #QUEUE_FULL} itself.
 *
 * <p>State is one {@code long}: the high 32 bits count queued waiters, the low 32 bits are the free permits (signed:
 * lowering the limit below the permits in use leaves a debt that releases pay off first). The fast paths
 * ({@link #tryAcquire()}, and {@link #release()} with nobody waiting) are a single CAS and only ever act when no one
 * waits, so a newcomer can never barge past a waiter. Everything that touches the queue holds {@code lock}; under it
 * the queue's length always equals the waiter count in {@code state}, because a waiter is counted and linked (and
 * unlinked and uncounted) inside one critical section, and no fast path changes {@code state} while the count is
 * non-zero. A release that finds a waiter hands its permit straight to the head waiter, so the free count never
 * rises while anyone waits. No {@code synchronized}: waiting parks, which does not pin virtual threads.
 *
 * <p>Thread-safe.
 */
public final class Gate extends GatePadAfter {

    /** Outcome of a slow acquire, for the caller to turn into an exception with its own context. */
    public static final int GRANTED = 1;
    public static final int QUEUE_FULL = 2;
    public static final int TIMED_OUT = 3;
    public static final int CLOSED = 4;
    public static final int INTERRUPTED = 5;
    /** The caller's expected wait (see {@link #acquire(int, long, long)}) exceeded its timeout; it did not queue. */
    public static final int OVERLOADED = 6;

    private static final int WAITING = 0;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(GateState.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Waiter[] heads;
    private final Waiter[] tails;
    /** Waiters per priority; guarded by {@link #lock}. */
    private final int[] counts;
    private volatile int limit;
    private volatile int maxQueue;
    private volatile boolean closed;
    /** While paused nobody is admitted: the fast path fails, releases free permits instead of handing them on. */
    private volatile boolean paused;

    /**
     * @param limit permits, at least 0
     * @param maxQueue the most waiters, at least 0
     * @param priorityLevels priorities run from 0 to {@code priorityLevels - 1}
     */
    public Gate(int limit, int maxQueue, int priorityLevels) {
        this.limit = limit;
        this.maxQueue = maxQueue;
        this.heads = new Waiter[priorityLevels];
        this.tails = new Waiter[priorityLevels];
        this.counts = new int[priorityLevels];
        this.state = pack(0, limit);
    }

    static long pack(int waiters, int available) {
        return ((long) waiters << 32) | (available & 0xFFFF_FFFFL);
    }

    static int waiters(long s) {
        return (int) (s >>> 32);
    }

    static int available(long s) {
        return (int) s;
    }

    private boolean cas(long expect, long update) {
        return STATE.compareAndSet(this, expect, update);
    }

    /**
     * Takes a permit if one is free and nobody waits. Lock-free, allocation-free.
     *
     * @return whether a permit was taken
     */
    public boolean tryAcquire() {
        if (paused) {
            return false;
        }
        for (;;) {
            long s = state;
            if (waiters(s) != 0 || available(s) <= 0) {
                return false;
            }
            if (cas(s, s - 1)) {
                return true;
            }
        }
    }

    /**
     * Takes a permit, queueing if none is free. Call after {@link #tryAcquire()} failed.
     *
     * @param priority 0 to {@code priorityLevels - 1}, higher served first
     * @param timeoutNanos the longest wait
     * @return {@link #GRANTED}, {@link #QUEUE_FULL}, {@link #TIMED_OUT}, {@link #CLOSED} or {@link #INTERRUPTED}
     *         (the interrupt flag is then set again)
     */
    public int acquire(int priority, long timeoutNanos) {
        return acquire(priority, timeoutNanos, 0L);
    }

    /**
     * Takes a permit, queueing if none is free, unless the caller's expected wait exceeds its timeout. The expected
     * wait is its place in the queue (the waiters of its priority or higher, plus one) times
     * {@code nanosPerPosition}, the time one connection currently takes to come back; a caller that would not be
     * served in time in expectation is told so at once instead of learning it from a timeout.
     *
     * @param priority 0 to {@code priorityLevels - 1}, higher served first
     * @param timeoutNanos the longest wait
     * @param nanosPerPosition expected wait per queue position; 0 = never reject early
     * @return {@link #GRANTED}, {@link #QUEUE_FULL}, {@link #OVERLOADED}, {@link #TIMED_OUT}, {@link #CLOSED} or
     *         {@link #INTERRUPTED} (the interrupt flag is then set again)
     */
    public int acquire(int priority, long timeoutNanos, long nanosPerPosition) {
        if (closed) {
            return CLOSED;
        }
        final long start = System.nanoTime();
        final Waiter w;
        Waiter displaced = null;
        lock.lock();
        try {
            if (closed) {
                return CLOSED;
            }
            for (;;) {
                long s = state;
                int q = waiters(s);
                int a = available(s);
                if (q == 0 && a > 0 && !paused) {
                    if (cas(s, s - 1)) {
                        return GRANTED;
                    }
                    continue;
                }
                // Not while paused: a pause promises that callers queue (and time out) as usual.
                boolean overloaded = nanosPerPosition > 0L && !paused
                        && aheadOf(priority) + 1L > timeoutNanos / nanosPerPosition;
                if (q >= maxQueue) {
                    // A full queue turns away the lowest priority, not the latest arrival: a newcomer of higher
                    // priority than someone waiting takes the place of the newest waiter of the lowest priority
                    // present, and that waiter gets the queue-full rejection instead. The count is unchanged.
                    displaced = q == 0 || overloaded ? null : newestBelow(priority);
                    if (displaced == null) {
                        return overloaded && q > 0 && newestBelow(priority) != null ? OVERLOADED : QUEUE_FULL;
                    }
                    unlink(displaced);
                    displaced.status = QUEUE_FULL;
                    break;
                }
                if (overloaded) {
                    return OVERLOADED;
                }
                if (cas(s, pack(q + 1, a))) {
                    break;
                }
            }
            w = new Waiter(Thread.currentThread(), priority);
            link(w);
        } finally {
            lock.unlock();
        }
        if (displaced != null) {
            LockSupport.unpark(displaced.thread);
        }

        final long deadline = start + timeoutNanos;
        boolean interrupted = false;
        for (;;) {
            int st = w.status;
            if (st != WAITING) {
                return st;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                break;
            }
            LockSupport.parkNanos(this, remaining);
            if (Thread.interrupted()) {
                interrupted = true;
                break;
            }
        }
        lock.lock();
        try {
            int st = w.status;
            if (st != WAITING) {
                // Granted (or closed) while we gave up: a granted permit is ours; keep it.
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return st;
            }
            unlink(w);
            w.status = interrupted ? INTERRUPTED : TIMED_OUT;
            for (;;) {
                long s = state;
                if (cas(s, pack(waiters(s) - 1, available(s)))) {
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            return INTERRUPTED;
        }
        return TIMED_OUT;
    }

    /** Returns a permit: to the head waiter if there is one, else to the free count. */
    public void release() {
        for (;;) {
            long s = state;
            if (waiters(s) != 0) {
                break;
            }
            if (cas(s, pack(0, available(s) + 1))) {
                return;
            }
        }
        releaseSlow();
    }

    /**
     * Hands the permit to the head waiter under the lock, and wakes it after unlocking: waking a thread is a system
     * call, and holding the lock through it made every enqueue and release behind it wait (and, with hundreds of
     * callers on two cores, park on the lock itself). A waiter that gives up in between finds itself granted and
     * keeps the permit; the late wake-up is then a spurious one, which every park loop tolerates.
     */
    private void releaseSlow() {
        Waiter granted = null;
        lock.lock();
        try {
            for (;;) {
                long s = state;
                int q = waiters(s);
                int a = available(s);
                if (q == 0 || a < 0 || paused) {
                    if (cas(s, pack(q, a + 1))) {
                        return;
                    }
                    continue;
                }
                if (cas(s, pack(q - 1, a))) {
                    granted = pollHighest();
                    granted.status = GRANTED;
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        LockSupport.unpark(granted.thread);
    }

    /**
     * Changes the number of permits. Raising it serves waiters first; lowering it below the permits in use takes
     * effect as they come back.
     *
     * @param newLimit at least 0 (0 admits nobody until it is raised)
     */
    public void setLimit(int newLimit) {
        lock.lock();
        try {
            int delta = newLimit - limit;
            limit = newLimit;
            for (;;) {
                long s = state;
                int q = waiters(s);
                int a = available(s) + delta;
                int served = 0;
                // A positive delta pays off any debt, then serves waiters, then adds free permits.
                while (a > 0 && served < q && !paused) {
                    a--;
                    served++;
                }
                if (cas(s, pack(q - served, a))) {
                    for (int i = 0; i < served; i++) {
                        grant(pollHighest());
                    }
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops admitting callers: they queue (and time out) as if no permit were free; permits that come back are kept
     * until {@link #resume()}. Callers already holding a permit are not affected.
     */
    public void pause() {
        lock.lock();
        try {
            paused = true;
        } finally {
            lock.unlock();
        }
    }

    /** Admits callers again, serving waiters first with the permits that came back while paused. */
    public void resume() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            paused = false;
            for (;;) {
                long s = state;
                int q = waiters(s);
                int a = available(s);
                int served = Math.min(Math.max(a, 0), q);
                if (cas(s, pack(q - served, a - served))) {
                    for (int i = 0; i < served; i++) {
                        grant(pollHighest());
                    }
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Changes the most waiters. Lowering it below the waiters now queued turns away only newcomers; those queued keep
     * their place.
     *
     * @param newMaxQueue at least 0
     */
    public void setMaxQueue(int newMaxQueue) {
        lock.lock();
        try {
            maxQueue = newMaxQueue;
        } finally {
            lock.unlock();
        }
    }

    /** @return whether {@link #pause()} is in force */
    public boolean isPaused() {
        return paused;
    }

    /** Refuses every later acquire and wakes every waiter with {@link #CLOSED}. Idempotent. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            paused = true; // the fast path reads only this flag
            for (int p = heads.length - 1; p >= 0; p--) {
                for (Waiter w = heads[p]; w != null; w = w.next) {
                    w.status = CLOSED;
                    LockSupport.unpark(w.thread);
                }
                heads[p] = null;
                tails[p] = null;
                counts[p] = 0;
            }
            for (;;) {
                long s = state;
                if (cas(s, pack(0, available(s)))) {
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    /** @return the current number of permits */
    public int limit() {
        return limit;
    }

    /** @return the most waiters */
    public int maxQueue() {
        return maxQueue;
    }

    /** @return callers waiting now */
    public int queued() {
        return waiters(state);
    }

    /** @return permits held now (can briefly exceed the limit after it was lowered) */
    public int inUse() {
        return limit - available(state);
    }

    private void grant(Waiter w) {
        w.status = GRANTED;
        LockSupport.unpark(w.thread);
    }

    /** Under {@link #lock}: waiters that would be served before a newcomer of this priority. */
    private int aheadOf(int priority) {
        int n = 0;
        for (int p = priority; p < counts.length; p++) {
            n += counts[p];
        }
        return n;
    }

    private void link(Waiter w) {
        int p = w.priority;
        counts[p]++;
        Waiter t = tails[p];
        if (t == null) {
            heads[p] = w;
        } else {
            t.next = w;
            w.prev = t;
        }
        tails[p] = w;
    }

    private void unlink(Waiter w) {
        int p = w.priority;
        counts[p]--;
        if (w.prev == null) {
            heads[p] = w.next;
        } else {
            w.prev.next = w.next;
        }
        if (w.next == null) {
            tails[p] = w.prev;
        } else {
            w.next.prev = w.prev;
        }
        w.prev = null;
        w.next = null;
    }

    /** Under {@link #lock}: the newest waiter of the lowest priority below {@code priority}, or {@code null}. */
    private Waiter newestBelow(int priority) {
        for (int p = 0; p < priority; p++) {
            if (tails[p] != null) {
                return tails[p];
            }
        }
        return null;
    }

    private Waiter pollHighest() {
        for (int p = heads.length - 1; p >= 0; p--) {
            Waiter w = heads[p];
            if (w != null) {
                unlink(w);
                return w;
            }
        }
        throw new IllegalStateException("waiter count and queue disagree");
    }

    private static final class Waiter {
        final Thread thread;
        final int priority;
        volatile int status;
        Waiter prev;
        Waiter next;

        Waiter(Thread thread, int priority) {
            this.thread = thread;
            this.priority = priority;
        }
    }
}

/** Cache-line padding before the gate's state word: no other object's fields share its line. */
abstract class GatePadBefore {
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07, p08;
}

/**
 * The gate's state word (see {@link Gate}), on a cache line of its own: every borrow and return CASes it, so a
 * neighbouring field written by another thread would make each CAS miss. Superclass fields come first in the
 * object, which keeps the padding in place whatever the JVM's field layout.
 */
abstract class GateState extends GatePadBefore {
    /** Waiters (high 32 bits) and free permits (low 32, signed); written by CAS only, through {@code Gate.STATE}. */
    volatile long state;
}

/** Padding after the state word, before {@link Gate}'s own fields. */
abstract class GatePadAfter extends GateState {
    @SuppressWarnings("unused")
    private long q01, q02, q03, q04, q05, q06, q07, q08;
}
