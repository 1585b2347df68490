package dev.pooled;

import java.util.Locale;

/**
 * Whether a pool lowers its limit when the database slows down ({@code pooled.throttling}).
 *
 * @since 0.1.0
 */
public enum ThrottleMode {
    /**
     * The default. When the mean hold time over the last half second rises above 1.5 times its long-run baseline,
     * the limit on connections held at once falls below the pool size in proportion (to no less than a quarter of
     * it), and callers whose expected wait in the queue exceeds {@code timeout_ms} are rejected at once. The limit
     * comes back as the hold time does. See {@code docs/design.md}.
     */
    GRADIENT,
    /** The limit is always the pool size; callers wait in the queue until served or {@code timeout_ms} passes. */
    OFF;

    /** @return the external name, {@code gradient} or {@code off} */
    public String externalName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ThrottleMode parse(String v) {
        for (ThrottleMode m : values()) {
            if (v != null && m.externalName().equals(v.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        return null;
    }
}
