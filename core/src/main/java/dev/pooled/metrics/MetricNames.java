package dev.pooled.metrics;

/**
 * Every metric name, tag key, span name and span attribute this library emits, in one place. Names follow the
 * OpenTelemetry semantic conventions for database client connection pools where one exists
 * ({@code db.client.connection.*}); the library's own are under {@code pooled.*}. {@code docs/metrics.md}
 * describes each one.
 *
 * @since 0.1.0
 */
public final class MetricNames {
    private MetricNames() {
    }

    /** Gauge: connections by {@link #TAG_STATE} ({@code idle}, {@code used}). */
    public static final String CONNECTION_COUNT = "db.client.connection.count";
    /** Gauge: the most connections the pool may open. */
    public static final String CONNECTION_MAX = "db.client.connection.max";
    /** Gauge: the fewest idle connections the pool keeps. */
    public static final String CONNECTION_IDLE_MIN = "db.client.connection.idle.min";
    /** Gauge: callers waiting for a connection. */
    public static final String PENDING_REQUESTS = "db.client.connection.pending_requests";
    /** Counter: requests that gave up waiting (timeout_ms passed, or the database gave no connection). */
    public static final String TIMEOUTS = "db.client.connection.timeouts";
    /** Timer: time to open a physical connection. */
    public static final String CREATE_TIME = "db.client.connection.create_time";
    /** Timer: time from {@code getConnection()} to having a connection, queueing included. */
    public static final String WAIT_TIME = "db.client.connection.wait_time";
    /** Timer: time a caller held a connection (millisecond resolution, as HikariCP measures it). */
    public static final String USE_TIME = "db.client.connection.use_time";

    /** Gauge: connections in use divided by the current limit, 0 to 1. */
    public static final String UTILIZATION = "pooled.pool.utilization";
    /** Gauge: callers waiting now (same figure as {@link #PENDING_REQUESTS}, under the library's name). */
    public static final String QUEUE_DEPTH = "pooled.queue.depth";
    /** Gauge: the most callers that may wait ({@code max_queue}). */
    public static final String QUEUE_MAX = "pooled.queue.max";
    /** Counter: requests turned away, by {@link #TAG_REASON}. */
    public static final String REJECTIONS = "pooled.rejections";
    /** Gauge: the current limit on connections held at once. */
    public static final String LIMIT = "pooled.limit";
    /** Gauge: 1 while the pool is paused (admits nobody), else 0. */
    public static final String PAUSED = "pooled.paused";
    /** Counter: connections held past {@code leak_threshold_ms} (each counted once). */
    public static final String LEAKS_DETECTED = "pooled.leaks.detected";
    /** Counter: connections taken back after {@code leak_reclaim_ms}. */
    public static final String LEAKS_RECLAIMED = "pooled.leaks.reclaimed";
    /** Timer: transaction time, first statement after a transaction began to commit or rollback. */
    public static final String TRANSACTION_TIME = "pooled.transaction.time";

    /** Gauge: physical connections the pool keeps now: the sizing target after the budget ({@code sizing}). */
    public static final String TARGET_SIZE = "pooled.pool.target_size";
    /** Counter: changes of the pool size, by {@link #TAG_DIRECTION} ({@code grow}, {@code shrink}). */
    public static final String RESIZES = "pooled.pool.resizes";
    /** Gauge: λ, arrivals of borrows per second over the last 5 s (acquisitions plus capacity rejections). */
    public static final String ARRIVAL_RATE = "pooled.arrival_rate";
    /** Gauge: W, the mean time a connection is held over the last 5 s, in seconds. */
    public static final String HOLD_TIME = "pooled.hold_time";
    /** Gauge: λ·W over the last 5 s, the connections the offered load wants. */
    public static final String OFFERED_LOAD = "pooled.offered_load";
    /** Gauge: the circuit breaker's state: 0 closed, 1 open, 2 half-open, -1 no breaker. */
    public static final String BREAKER_STATE = "pooled.breaker.state";
    /**
     * Counter: connections handed out. {@link #WAIT_TIME} times only the acquisitions that waited at least 10 µs;
     * this minus its count is the acquisitions admitted at once (a zero wait each).
     */
    public static final String ACQUISITIONS = "pooled.acquisitions";
    /**
     * Gauge: the version of the config in force, as given to {@code ConnectionPool#reconfigure} (for example an etcd
     * mod revision); 0 for the config the pool started with.
     */
    public static final String CONFIG_VERSION = "pooled.config.version";
    /**
     * Counter: config records a pool refused (the etcd module's records), by {@link #TAG_REASON}: {@code bad_json},
     * {@code unknown_field}, {@code bad_type}, {@code out_of_range}, {@code not_live}, {@code credential},
     * {@code conflict}. The last good config stayed in force.
     */
    public static final String CONFIG_REJECTED = "pooled.config.rejected";
    /** Gauge: connections the shared budget grants this pool (NaN without a budget). */
    public static final String BUDGET_SHARE = "pooled.budget.share";
    /** Gauge (global budget): the demand this pool reports to its budget. */
    public static final String BUDGET_DEMAND = "pooled.budget.demand";
    /** Gauge (global budget): the connections this pool holds or may still open, as reported to its budget. */
    public static final String BUDGET_IN_USE = "pooled.budget.in_use";
    /** Gauge (global budget): the lease this pool's membership lives under: 2 live, 1 suspended, 0 none. */
    public static final String BUDGET_LEASE = "pooled.budget.lease";
    /** Gauge (global budget): 1 while this process is the budget's elected allocator, else 0. */
    public static final String BUDGET_ALLOCATOR = "pooled.budget.allocator";
    /** Gauge (global budget, from the allocator; NaN elsewhere): the sum of quotas granted. */
    public static final String BUDGET_GRANTED = "pooled.budget.granted";
    /** Gauge (global budget, from the allocator; NaN elsewhere): what all members may hold together now. */
    public static final String BUDGET_AVAILABLE = "pooled.budget.available";
    /** Tag: the name of a global budget. */
    public static final String TAG_BUDGET = "budget";

    /** Tag: the service the pool serves. */
    public static final String TAG_SERVICE = "service";
    /** Tag: the database role the pool serves. */
    public static final String TAG_DB_ROLE = "db_role";
    /** Tag: the pool's name, unique in the process ({@code service/db_role}, with {@code #n} if repeated). */
    public static final String TAG_POOL = "pool";
    /** Tag on {@link #CONNECTION_COUNT}. */
    public static final String TAG_STATE = "state";
    /**
     * Tag on {@link #REJECTIONS}: {@code queue_full}, {@code timeout}, {@code closed}, {@code interrupted},
     * {@code overloaded}, {@code circuit_open}, {@code rate_limited}.
     */
    public static final String TAG_REASON = "reason";
    /** Tag on {@link #RESIZES}: {@code grow} or {@code shrink}. */
    public static final String TAG_DIRECTION = "direction";

    /** Span around one acquisition. */
    public static final String SPAN_ACQUIRE = "pooled.acquire";
    /** Span around one transaction (with {@code track_transactions=true}). */
    public static final String SPAN_TRANSACTION = "pooled.transaction";
    /** Span attribute: the pool name (semantic conventions). */
    public static final String ATTR_POOL_NAME = "db.client.connection.pool.name";
    /** Span attribute: callers ahead in the queue when this one arrived; 0 when served at once. */
    public static final String ATTR_QUEUE_POSITION = "pooled.queue.position";
    /** Span attribute: wait time in milliseconds (double). */
    public static final String ATTR_WAIT_MS = "pooled.wait_time_ms";
    /** Span attribute: {@code acquired}, or the rejection reason. */
    public static final String ATTR_OUTCOME = "pooled.outcome";
    /** Span attribute: the service. */
    public static final String ATTR_SERVICE = "pooled.service";
    /** Span attribute: the database role. */
    public static final String ATTR_DB_ROLE = "pooled.db_role";
    /** Span attribute on transaction spans: {@code commit} or {@code rollback}. */
    public static final String ATTR_TX_END = "pooled.transaction.end";
}
