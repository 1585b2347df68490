package dev.pooled.jdbc.internal.tx;

import dev.pooled.jdbc.PinReason;
import dev.pooled.jdbc.TransactionModeStats;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link TransactionModeStats}: one per pool, written by every logical connection. */
final class TxStats {
    private static final PinReason[] REASONS = PinReason.values();

    final LongAdder[] pins = adders(REASONS.length);
    final LongAdder[] rejected = adders(REASONS.length);
    final LongAdder bindings = new LongAdder();
    final LongAdder fullResets = new LongAdder();
    final LongAdder evictions = new LongAdder();
    final LongAdder rolledBack = new LongAdder();
    final LongAdder open = new LongAdder();
    final LongAdder pinnedNow = new LongAdder();

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    TransactionModeStats snapshot() {
        Map<PinReason, Long> p = new EnumMap<>(PinReason.class);
        Map<PinReason, Long> r = new EnumMap<>(PinReason.class);
        for (PinReason reason : REASONS) {
            p.put(reason, pins[reason.ordinal()].sum());
            r.put(reason, rejected[reason.ordinal()].sum());
        }
        return new TransactionModeStats(p, r, bindings.sum(), fullResets.sum(), evictions.sum(), rolledBack.sum(),
                open.sum(), pinnedNow.sum());
    }
}
