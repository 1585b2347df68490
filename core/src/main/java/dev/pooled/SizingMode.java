package dev.pooled;

import java.util.Locale;

/**
 * How a pool chooses how many physical connections to keep ({@code pooled.sizing}).
 *
 * @since 0.1.0
 */
public enum SizingMode {
    /**
     * The default. The pool measures the arrival rate of borrows (λ) and the mean hold time (W) and keeps about
     * L = λ·W connections plus headroom for bursts, between {@code min_idle} and {@code max_connections} (and the
     * budget share); it grows at once when callers queue and shrinks slowly. See {@code docs/design.md}.
     */
    LITTLES_LAW,
    /** The pool keeps {@code max_connections} (or its budget share, if smaller); {@code min_idle} as configured. */
    FIXED;

    /** @return the external name, {@code littles_law} or {@code fixed} */
    public String externalName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static SizingMode parse(String v) {
        for (SizingMode m : values()) {
            if (v != null && m.externalName().equals(v.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        return null;
    }
}
