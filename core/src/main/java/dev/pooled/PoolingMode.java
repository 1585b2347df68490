package dev.pooled;

/**
 * How a caller's {@link java.sql.Connection} maps onto physical connections.
 *
 * @since 0.1.0
 */
public enum PoolingMode {
    /** The caller holds one physical connection from {@code getConnection()} to {@code close()}. */
    SESSION,
    /**
     * The caller's connection is logical and binds a physical one per transaction; statements that leave session
     * state behind pin it to its physical connection until it closes ({@code docs/transaction-mode.md}).
     */
    TRANSACTION;

    /** @return the external name, {@code session} or {@code transaction} */
    public String externalName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
