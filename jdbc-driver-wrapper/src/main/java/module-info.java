/**
 * The JDBC face: {@code jdbc:pooled:} ({@link dev.pooled.jdbc.PooledDriver}), {@link dev.pooled.jdbc.PooledDataSource}
 * and the driver's pool registry. Only {@code dev.pooled.jdbc} is API; the URL parsing and the transaction-mode
 * connection wrappers ({@code dev.pooled.jdbc.internal}, {@code .internal.tx}) are not exported.
 */
module dev.pooled.jdbc {
    requires transitive dev.pooled.core;

    exports dev.pooled.jdbc;

    provides java.sql.Driver with dev.pooled.jdbc.PooledDriver;
}
