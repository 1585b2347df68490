package dev.pooled.etcd.internal;

import dev.pooled.PoolConfig;
import dev.pooled.PoolConfigException;
import java.util.Map;

/**
 * What the config watcher needs of a running pool: the one door through which a pool changes at runtime
 * ({@code ConnectionPool#reconfigure(PoolConfig, long)}: whole or nothing), a way to roll its physical connections,
 * and the figures an instance reports.
 */
public interface LivePool {
    /** @return the pool's name, for logs */
    String name();

    /** @return whether the pool is closed (the watcher then stops) */
    boolean isClosed();

    /**
     * Applies a whole new config at once, or nothing.
     *
     * @param next the config
     * @param version the etcd mod revision of the record it came from; 0 for the pool's own settings
     * @throws PoolConfigException naming each setting the running pool refuses (and why)
     */
    void reconfigure(PoolConfig next, long version) throws PoolConfigException;

    /** Rolls every physical connection: idle ones close now, borrowed ones when they come back. */
    void roll();

    /** @return {@code limit}, {@code in_use}, {@code queue_depth}, {@code breaker_state} and the like, for reports */
    Map<String, Object> figures();
}
