package dev.pooled;

import java.util.function.Supplier;

/**
 * The opener of a pool's physical connections, as seen by a {@link PoolExtension}: lets it change the credential
 * that new physical connections use (credential rotation). Connections already open keep theirs; the extension
 * rolls them with {@link ConnectionPool#softEvictIdle()} (each closes when it is next idle, so no borrower fails).
 *
 * <p>Implementations are thread-safe; a change applies to connections opened after it.
 *
 * @since 0.1.0
 */
public interface PhysicalConnections {
    /** An opener that supports no change; {@link #passwordSource} throws. */
    PhysicalConnections UNSUPPORTED = source -> {
        throw new UnsupportedOperationException("this pool's physical connections cannot change their password");
    };

    /**
     * @param source asked for the password each time a physical connection is opened (not on a borrow); it must be
     *        fast and never return a value it read only partly; {@code null} restores the password the pool was
     *        started with
     * @throws UnsupportedOperationException if this opener cannot change its password
     */
    void passwordSource(Supplier<String> source);
}
