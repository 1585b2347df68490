package dev.pooled;

import java.util.Map;

/**
 * A plug-in that takes part in starting and running pools, found with {@link java.util.ServiceLoader} by the
 * layers that start pools from settings (the {@code jdbc:pooled:} driver, {@code PooledDataSource}, the Spring
 * Boot starter) through {@link PoolExtensions}. The etcd module's config records (and its fleet-wide budget) plug
 * in here; core itself never knows them.
 *
 * <p>An extension owns setting names that are not {@link PoolConfig#KEYS} (for example {@code etcd.endpoints},
 * written {@code pooled.etcd.endpoints} in a URL): the starting layer hands such settings to it instead of
 * rejecting them as unknown. A pool whose settings name none of an extension's keys is not shown to it.
 *
 * <p>Implementations need a public no-argument constructor and must be thread-safe.
 *
 * @since 0.1.0
 */
public interface PoolExtension {

    /**
     * @param key a setting name without the {@code pooled.} prefix, never one of {@link PoolConfig#KEYS}
     * @return whether this extension owns it
     */
    boolean accepts(String key);

    /**
     * Called once for each pool about to start whose settings name at least one key this extension
     * {@linkplain #accepts(String) accepts}, on the starting thread. May do bounded I/O (for example read a config
     * record within its own deadline) but must not block indefinitely.
     *
     * @param context what is known before the pool starts
     * @return how the extension takes part in this pool's life; {@link Attachment#NONE} when its settings do not
     *         turn it on
     * @throws PoolConfigException naming every bad extension setting (the starting layer reports them with the
     *         rest)
     */
    Attachment attach(Context context);

    /**
     * What a pool's start offers an extension.
     *
     * @since 0.1.0
     */
    interface Context {
        /**
         * @return every extension setting of the pool (names without {@code pooled.}), also those other extensions
         *         own; unmodifiable
         */
        Map<String, String> settings();

        /** @return the config the pool's own settings (URL, properties, builder) ask for */
        PoolConfig requested();

        /** @return the opener of the pool's physical connections; {@link PhysicalConnections#UNSUPPORTED} if none */
        PhysicalConnections physical();

        /** @return how the pool is observed: an extension registers its own meters in the same registry */
        Instrumentation instrumentation();
    }

    /**
     * An extension's part in one pool. The starting layer calls {@link #startConfig}, then {@link #budgets}, starts
     * the pool, calls {@link #started}, and calls {@link #close()} when it closes the pool (or when the start
     * fails).
     *
     * @since 0.1.0
     */
    interface Attachment extends AutoCloseable {
        /** Takes no part. */
        Attachment NONE = () -> {
        };

        /**
         * @param requested the config from the pool's own settings (after earlier attachments)
         * @return the config to start with (for example a config record that takes precedence); by default
         *         {@code requested}
         */
        default PoolConfig startConfig(PoolConfig requested) {
            return requested;
        }

        /**
         * @param requested where budgets would be found otherwise
         * @return where the pool finds the budget its {@code budget} setting names; by default {@code requested}
         */
        default BudgetSource budgets(BudgetSource requested) {
            return requested;
        }

        /** @param pool the running pool; the attachment may watch and reconfigure it until {@link #close()} */
        default void started(ConnectionPool pool) {
        }

        /** Stops taking part: the pool is closing or did not start. Idempotent; never throws. */
        @Override
        void close();
    }
}
