package dev.pooled.jdbc;

import java.util.Map;

/**
 * A snapshot of what transaction mode did for one pool, since the pool started. Counters only grow; the two
 * {@code ...Now} figures are gauges. Immutable; taking one reads a handful of counters and allocates the snapshot.
 *
 * @param pins pins by reason; every reason is present (zero when never seen)
 * @param rejectedPins statements refused by {@code pin_policy=reject}, by reason; every reason is present
 * @param bindings physical connections bound to logical ones (each one a borrow through the pool's gate)
 * @param fullResets physical connections reset in full before going back ({@code DISCARD ALL} on PostgreSQL,
 *        {@code COM_RESET_CONNECTION} on MySQL)
 * @param evictions physical connections closed instead of reused, because their reset failed or could not be
 *        trusted (unknown database, {@code LISTEN}, {@code unwrap})
 * @param rolledBackAtHandOver physical connections found inside a transaction the logical connection did not know of
 *        (for example {@code BEGIN} sent as SQL and never ended) and rolled back before going back
 * @param openNow logical connections open now
 * @param pinnedNow logical connections pinned now
 * @since 0.1.0
 */
public record TransactionModeStats(Map<PinReason, Long> pins, Map<PinReason, Long> rejectedPins, long bindings,
        long fullResets, long evictions, long rolledBackAtHandOver, long openNow, long pinnedNow) {

    /** Copies the maps, so the snapshot never changes. */
    public TransactionModeStats {
        pins = Map.copyOf(pins);
        rejectedPins = Map.copyOf(rejectedPins);
    }

    /** @return pins of every reason together */
    public long totalPins() {
        long n = 0;
        for (long v : pins.values()) {
            n += v;
        }
        return n;
    }

    /** @return rejected pins of every reason together */
    public long totalRejectedPins() {
        long n = 0;
        for (long v : rejectedPins.values()) {
            n += v;
        }
        return n;
    }
}
