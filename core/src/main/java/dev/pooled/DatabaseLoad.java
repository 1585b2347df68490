package dev.pooled;

import java.time.Instant;

/**
 * What the database server said about its own load at its last sample: one connection per database (per delegate
 * URL and user, shared by every pool of the process that reaches it) samples it every
 * {@value #SAMPLE_PERIOD_MILLIS} ms off the acquire path. PostgreSQL: {@code pg_stat_activity} (client backends); MySQL/MariaDB: {@code Threads_connected}, {@code Threads_running}, {@code Questions},
 * {@code max_connections} and InnoDB's transaction list. The sampler's own session is not counted as active.
 * Immutable; a figure the server did not give (privileges, an older version) is -1.
 *
 * @param sampledAt when the sample was taken; {@link Instant#EPOCH} for {@link #UNKNOWN}
 * @param connections client sessions on the whole server, the sampler's included
 * @param maxConnections the server's {@code max_connections}, less PostgreSQL's
 *        {@code superuser_reserved_connections}: the sessions ordinary users may open
 * @param active sessions running a statement now (PostgreSQL {@code state = 'active'}, MySQL {@code Threads_running}),
 *        the sampler's own excluded
 * @param idleInTransaction sessions inside a transaction but running nothing
 * @param waitingOnLocks sessions waiting for a lock held by another
 * @param latencyMicros the server's statement latency over the last few samples: PostgreSQL twice the median age of
 *        the statements running at each sample, MySQL mean {@code Threads_running} / {@code Questions} per second
 *        (Little's law); NaN while nothing runs or unknown
 * @since 0.1.0
 */
public record DatabaseLoad(Instant sampledAt, int connections, int maxConnections, int active, int idleInTransaction,
        int waitingOnLocks, double latencyMicros) {

    /** Milliseconds between two samples of one database. */
    public static final long SAMPLE_PERIOD_MILLIS = 500;

    /** No sample yet (or the pool has no sampler). */
    public static final DatabaseLoad UNKNOWN = new DatabaseLoad(Instant.EPOCH, -1, -1, -1, -1, -1, Double.NaN);

    /** @return whether this is a real sample */
    public boolean known() {
        return connections >= 0;
    }

    /** @return sessions ordinary users may still open, or -1 when unknown */
    public int freeConnections() {
        return connections < 0 || maxConnections < 0 ? -1 : Math.max(0, maxConnections - connections);
    }
}
