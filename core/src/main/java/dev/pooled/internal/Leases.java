package dev.pooled.internal;

import java.sql.Connection;

/**
 * What happens to a borrowed connection before the caller gets it. {@link #NONE} hands out HikariCP's proxy as it
 * is (the JIT inlines the call away); {@link LeaseGuard} wraps it in a lease for leak detection, reclaim and
 * transaction timing.
 */
public abstract class Leases {
    /** No lease: the caller gets HikariCP's proxy. */
    public static final Leases NONE = new Leases() {
        @Override
        public Connection wrap(Connection borrowed) {
            return borrowed;
        }
    };

    /**
     * @param borrowed HikariCP's proxy, just borrowed
     * @return what the caller gets
     */
    public abstract Connection wrap(Connection borrowed);

    /** Stops background work. */
    public void close() {
    }
}
