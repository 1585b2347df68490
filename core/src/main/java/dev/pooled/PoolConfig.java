package dev.pooled;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The settings of one pool: which tenant it serves and how it bounds and queues its callers. Immutable and
 * thread-safe; build one with {@link #builder()}.
 *
 * <p>The external names ({@link #SERVICE}, {@link #MAX_CONNECTIONS}, ...) are the same everywhere: URL parameters
 * carry them with a {@code pooled.} prefix, {@link java.util.Properties} and etcd records feed the same
 * {@link Builder#set(String, String)}. {@link Builder#build()} checks every setting at once and throws one
 * {@link PoolConfigException} naming each bad key, its value and the allowed range. It never clamps a value and
 * never falls back to a default silently.
 *
 * @since 0.1.0
 */
public final class PoolConfig {

    /** The service this pool serves, a tag on every metric. Default {@value #DEFAULT_SERVICE}. */
    public static final String SERVICE = "service";
    /** The database role this pool serves; default: the database user, else {@value #DEFAULT_DB_ROLE}. */
    public static final String DB_ROLE = "db_role";
    /** The most physical connections the pool opens, and the most callers that hold one at a time. */
    public static final String MAX_CONNECTIONS = "max_connections";
    /** The most callers that wait for a connection; one more is rejected at once. */
    public static final String MAX_QUEUE = "max_queue";
    /** The longest a caller waits for a connection, in milliseconds. */
    public static final String TIMEOUT_MS = "timeout_ms";
    /** The priority of callers that name none: {@value #MIN_PRIORITY} (lowest) to {@value #MAX_PRIORITY}. */
    public static final String PRIORITY = "priority";
    /** {@code session} or {@code transaction}. */
    public static final String MODE = "mode";
    /** The fewest idle connections the pool keeps open. */
    public static final String MIN_IDLE = "min_idle";
    /** The longest a physical connection lives before it is replaced, in milliseconds; 0 = for ever. */
    public static final String MAX_LIFETIME_MS = "max_lifetime_ms";
    /** How long a caller may hold a connection before it is reported as a leak, in milliseconds; 0 = off. */
    public static final String LEAK_THRESHOLD_MS = "leak_threshold_ms";
    /** How long a caller may hold a connection before it is taken back (aborted), in milliseconds; 0 = off. */
    public static final String LEAK_RECLAIM_MS = "leak_reclaim_ms";
    /** Whether to time transactions (begin to commit/rollback) and trace them: {@code true} or {@code false}. */
    public static final String TRACK_TRANSACTIONS = "track_transactions";

    /**
     * {@code allow} or {@code reject}: what transaction mode does with a statement that leaves session state behind
     * and so would pin a logical connection to its physical one.
     */
    public static final String PIN_POLICY = "pin_policy";

    /**
     * Transaction mode: {@code always} (every physical connection goes back to the pool with its whole session
     * reset after every transaction, including state changed out of the statement classifier's sight) or
     * {@code minimal} (reset in full only when a statement the classifier saw may have changed session state).
     * Ignored in session mode.
     */
    public static final String RESET = "reset";

    /** {@code littles_law} (size to the measured λ·W plus headroom) or {@code fixed}; see {@link SizingMode}. */
    public static final String SIZING = "sizing";
    /** {@code gradient} (lower the limit when hold times rise; reject early) or {@code off}; see {@link ThrottleMode}. */
    public static final String THROTTLING = "throttling";
    /** The name of a concurrency budget that pools in this process share; empty = none. */
    public static final String BUDGET = "budget";
    /** The most connections all pools naming {@link #BUDGET} hold together; required with it. */
    public static final String BUDGET_MAX = "budget_max";
    /** The most acquisitions per second this pool admits; more are rejected at once; 0 = no limit. */
    public static final String MAX_ACQUIRE_RATE = "max_acquire_rate";
    /** The share of failed physical acquisitions, in percent, that opens the circuit breaker; 0 = no breaker. */
    public static final String BREAKER_FAILURE_RATE = "breaker_failure_rate";
    /** How long an open circuit breaker rejects callers before it lets probes through, in milliseconds. */
    public static final String BREAKER_OPEN_MS = "breaker_open_ms";

    /** Every setting name, in documentation order. */
    public static final List<String> KEYS = List.of(SERVICE, DB_ROLE, MAX_CONNECTIONS, MAX_QUEUE, TIMEOUT_MS,
            PRIORITY, MODE, PIN_POLICY, RESET, MIN_IDLE, MAX_LIFETIME_MS, LEAK_THRESHOLD_MS, LEAK_RECLAIM_MS,
            TRACK_TRANSACTIONS, SIZING, THROTTLING, BUDGET, BUDGET_MAX, MAX_ACQUIRE_RATE, BREAKER_FAILURE_RATE, BREAKER_OPEN_MS);

    public static final String DEFAULT_SERVICE = "default";
    public static final String DEFAULT_DB_ROLE = "default";
    public static final int DEFAULT_MAX_CONNECTIONS = 10;
    public static final int DEFAULT_MAX_QUEUE = 200;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int MIN_PRIORITY = 0;
    public static final int MAX_PRIORITY = 9;
    public static final int DEFAULT_PRIORITY = 5;
    public static final PoolingMode DEFAULT_MODE = PoolingMode.SESSION;
    public static final PinPolicy DEFAULT_PIN_POLICY = PinPolicy.ALLOW;
    public static final ResetPolicy DEFAULT_RESET = ResetPolicy.ALWAYS;
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(30);
    public static final Duration DEFAULT_LEAK_THRESHOLD = Duration.ZERO;
    public static final Duration DEFAULT_LEAK_RECLAIM = Duration.ZERO;
    public static final SizingMode DEFAULT_SIZING = SizingMode.LITTLES_LAW;
    public static final ThrottleMode DEFAULT_THROTTLING = ThrottleMode.GRADIENT;
    /** {@code min_idle} when none is given and {@code sizing=littles_law} (capped at {@code max_connections}). */
    public static final int DEFAULT_AUTOSIZED_MIN_IDLE = 2;
    public static final int DEFAULT_BREAKER_FAILURE_RATE = 50;
    public static final Duration DEFAULT_BREAKER_OPEN = Duration.ofSeconds(5);
    static final int MAX_ACQUIRE_RATE_LIMIT = 1_000_000;
    static final long MIN_BREAKER_OPEN_MS = 100L;
    static final long MAX_BREAKER_OPEN_MS = 600_000L;

    static final int MAX_MAX_CONNECTIONS = 10_000;
    static final int MAX_MAX_QUEUE = 100_000;
    static final long MAX_TIMEOUT_MS = 3_600_000L;
    /** HikariCP replaces a shorter lifetime with its default; we reject it instead. */
    static final long MIN_LIFETIME_MS = 30_000L;
    static final long MAX_LIFETIME_LIMIT_MS = 86_400_000L;
    /** HikariCP disables leak detection below this; we reject it instead. */
    static final long MIN_LEAK_THRESHOLD_MS = 2_000L;
    /** Safe as a metric tag, a JMX key and a thread name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@+-]{1,128}");
    /** Shown instead of a value that must not be echoed. */
    static final String HIDDEN = "***";
    private static final String NAME_RULE = "must be 1 to 128 characters from A-Z a-z 0-9 . _ @ + -";

    private final String service;
    private final String dbRole;
    private final int maxConnections;
    private final int maxQueue;
    private final Duration timeout;
    private final int priority;
    private final PoolingMode mode;
    private final PinPolicy pinPolicy;
    private final ResetPolicy reset;
    private final int minIdle;
    private final Duration maxLifetime;
    private final Duration leakThreshold;
    private final Duration leakReclaim;
    private final boolean trackTransactions;
    private final SizingMode sizing;
    private final ThrottleMode throttling;
    private final String budget;
    private final int budgetMax;
    private final int maxAcquireRate;
    private final int breakerFailureRate;
    private final Duration breakerOpen;

    private PoolConfig(Builder b) {
        this.service = b.service;
        this.dbRole = b.dbRole;
        this.maxConnections = b.maxConnections;
        this.maxQueue = b.maxQueue;
        this.timeout = b.timeout;
        this.priority = b.priority;
        this.mode = b.mode;
        this.pinPolicy = b.pinPolicy;
        this.reset = b.reset;
        this.minIdle = b.minIdle != null ? b.minIdle
                : b.sizing == SizingMode.FIXED ? b.maxConnections
                : Math.min(DEFAULT_AUTOSIZED_MIN_IDLE, b.maxConnections);
        this.maxLifetime = b.maxLifetime;
        this.leakThreshold = b.leakThreshold;
        this.leakReclaim = b.leakReclaim;
        this.trackTransactions = b.trackTransactions;
        this.sizing = b.sizing;
        this.throttling = b.throttling;
        this.budget = b.budget == null || b.budget.isEmpty() ? null : b.budget;
        this.budgetMax = b.budgetMax;
        this.maxAcquireRate = b.maxAcquireRate;
        this.breakerFailureRate = b.breakerFailureRate;
        this.breakerOpen = b.breakerOpen;
    }

    /** @return a builder holding every default */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a config holding every default */
    public static PoolConfig ofDefaults() {
        return builder().build();
    }

    /** @return a builder that starts from this config's values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.service = service;
        b.dbRole = dbRole;
        b.maxConnections = maxConnections;
        b.maxQueue = maxQueue;
        b.timeout = timeout;
        b.priority = priority;
        b.mode = mode;
        b.pinPolicy = pinPolicy;
        b.reset = reset;
        b.minIdle = minIdle;
        b.maxLifetime = maxLifetime;
        b.leakThreshold = leakThreshold;
        b.leakReclaim = leakReclaim;
        b.trackTransactions = trackTransactions;
        b.sizing = sizing;
        b.throttling = throttling;
        b.budget = budget;
        b.budgetMax = budgetMax;
        b.maxAcquireRate = maxAcquireRate;
        b.breakerFailureRate = breakerFailureRate;
        b.breakerOpen = breakerOpen;
        return b;
    }

    /** @return the service name; never {@code null} */
    public String service() {
        return service;
    }

    /** @return the database role name; never {@code null} */
    public String dbRole() {
        return dbRole;
    }

    /** @return the most connections, 1 to 10,000 */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return the most waiting callers, 0 to 100,000; 0 rejects whenever every connection is in use */
    public int maxQueue() {
        return maxQueue;
    }

    /** @return the longest wait for a connection, 1 ms to 1 h */
    public Duration timeout() {
        return timeout;
    }

    /** @return the default caller priority, {@value #MIN_PRIORITY} to {@value #MAX_PRIORITY} (highest) */
    public int priority() {
        return priority;
    }

    /** @return the pooling mode */
    public PoolingMode mode() {
        return mode;
    }

    /** @return what transaction mode does with a pinning statement; always {@code ALLOW} in session mode */
    public PinPolicy pinPolicy() {
        return pinPolicy;
    }

    /** @return how transaction mode cleans a physical connection after each transaction; see {@link #RESET} */
    public ResetPolicy reset() {
        return reset;
    }

    /** @return the fewest idle connections kept open, 0 to {@link #maxConnections()} */
    public int minIdle() {
        return minIdle;
    }

    /** @return the longest life of a physical connection; {@link Duration#ZERO} = for ever */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    /** @return the hold time after which a borrowed connection is reported as a leak; {@link Duration#ZERO} = off */
    public Duration leakThreshold() {
        return leakThreshold;
    }

    /**
     * @return the hold time after which a borrowed connection is aborted and its capacity returned (its transaction
     *         is rolled back by the server); {@link Duration#ZERO} = off
     */
    public Duration leakReclaim() {
        return leakReclaim;
    }

    /** @return whether transactions are timed ({@code pooled.transaction.time}) and traced */
    public boolean trackTransactions() {
        return trackTransactions;
    }

    /** @return whether borrowed connections are wrapped in a lease (leak guard or transaction tracking is on) */
    public boolean needsLease() {
        return !leakThreshold.isZero() || !leakReclaim.isZero() || trackTransactions;
    }

    /** @return how the pool sizes itself; see {@link SizingMode} */
    public SizingMode sizing() {
        return sizing;
    }

    /** @return whether the limit follows the database's latency; see {@link ThrottleMode} */
    public ThrottleMode throttling() {
        return throttling;
    }

    /** @return the name of the shared concurrency budget, or {@code null} when the pool has none */
    public String budget() {
        return budget;
    }

    /** @return the most connections the pools sharing {@link #budget()} hold together; 0 when there is no budget */
    public int budgetMax() {
        return budgetMax;
    }

    /** @return the most acquisitions per second; 0 = no limit */
    public int maxAcquireRate() {
        return maxAcquireRate;
    }

    /** @return the failure rate, in percent, that opens the circuit breaker; 0 = no breaker */
    public int breakerFailureRate() {
        return breakerFailureRate;
    }

    /** @return how long an open breaker rejects callers before it lets probes through */
    public Duration breakerOpen() {
        return breakerOpen;
    }

    /**
     * @param newPriority the default caller priority
     * @return this config with another default priority
     * @throws PoolConfigException if the priority is out of range
     */
    public PoolConfig withPriority(int newPriority) {
        return newPriority == priority ? this : toBuilder().priority(newPriority).build();
    }

    /** @return every setting by its external name, as text; the form {@link Builder#set} accepts */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(SERVICE, service);
        m.put(DB_ROLE, dbRole);
        m.put(MAX_CONNECTIONS, Integer.toString(maxConnections));
        m.put(MAX_QUEUE, Integer.toString(maxQueue));
        m.put(TIMEOUT_MS, Long.toString(timeout.toMillis()));
        m.put(PRIORITY, Integer.toString(priority));
        m.put(MODE, mode.externalName());
        m.put(PIN_POLICY, pinPolicy.externalName());
        m.put(RESET, reset.externalName());
        m.put(MIN_IDLE, Integer.toString(minIdle));
        m.put(MAX_LIFETIME_MS, Long.toString(maxLifetime.toMillis()));
        m.put(LEAK_THRESHOLD_MS, Long.toString(leakThreshold.toMillis()));
        m.put(LEAK_RECLAIM_MS, Long.toString(leakReclaim.toMillis()));
        m.put(TRACK_TRANSACTIONS, Boolean.toString(trackTransactions));
        m.put(SIZING, sizing.externalName());
        m.put(THROTTLING, throttling.externalName());
        m.put(BUDGET, budget == null ? "" : budget);
        m.put(BUDGET_MAX, Integer.toString(budgetMax));
        m.put(MAX_ACQUIRE_RATE, Integer.toString(maxAcquireRate));
        m.put(BREAKER_FAILURE_RATE, Integer.toString(breakerFailureRate));
        m.put(BREAKER_OPEN_MS, Long.toString(breakerOpen.toMillis()));
        return m;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PoolConfig)) {
            return false;
        }
        PoolConfig c = (PoolConfig) o;
        return maxConnections == c.maxConnections && maxQueue == c.maxQueue && priority == c.priority
                && minIdle == c.minIdle && service.equals(c.service) && dbRole.equals(c.dbRole)
                && timeout.equals(c.timeout) && mode == c.mode && pinPolicy == c.pinPolicy && reset == c.reset
                && maxLifetime.equals(c.maxLifetime)
                && leakThreshold.equals(c.leakThreshold) && leakReclaim.equals(c.leakReclaim)
                && trackTransactions == c.trackTransactions
                && sizing == c.sizing && throttling == c.throttling && Objects.equals(budget, c.budget)
                && budgetMax == c.budgetMax && maxAcquireRate == c.maxAcquireRate
                && breakerFailureRate == c.breakerFailureRate && breakerOpen.equals(c.breakerOpen);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, dbRole, maxConnections, maxQueue, timeout, priority, mode, pinPolicy, reset,
                minIdle, maxLifetime, leakThreshold, leakReclaim, trackTransactions, sizing, throttling, budget, budgetMax,
                maxAcquireRate, breakerFailureRate, breakerOpen);
    }

    @Override
    public String toString() {
        return "PoolConfig" + asMap();
    }

    /**
     * What transaction mode does with a statement that would pin a logical connection to its physical one.
     *
     * @since 0.1.0
     */
    public enum PinPolicy {
        /** Run it and pin: the physical connection stays bound until the logical connection closes. Counted. */
        ALLOW,
        /** Refuse it before it is sent, with {@link ErrorCode#PIN_REJECTED} (SQLState {@code 0A000}). */
        REJECT;

        /** @return the external name, {@code allow} or {@code reject} */
        public String externalName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static PinPolicy parse(String v) {
            for (PinPolicy p : values()) {
                if (v != null && p.externalName().equals(v.toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
            return null;
        }
    }

    /**
     * How transaction mode returns a physical connection to the pool after a transaction; see {@link #RESET}.
     *
     * @since 0.1.0
     */
    public enum ResetPolicy {
        /**
         * Reset the whole session after every transaction (PostgreSQL: settings, advisory locks, cursors, listens,
         * temporary tables and sequence state, sent in the same round trip as the {@code COMMIT}; MySQL:
         * {@code COM_RESET_CONNECTION}), whatever the classifier saw. Named server-side prepared statements of the
         * driver survive.
         */
        ALWAYS,
        /** Reset in full only after a statement the classifier recognises as changing session state. */
        MINIMAL;

        /** @return the external name, {@code always} or {@code minimal} */
        public String externalName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static ResetPolicy parse(String v) {
            for (ResetPolicy p : values()) {
                if (v != null && p.externalName().equals(v.toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
            return null;
        }
    }

    /**
     * Collects settings and checks them all in {@link #build()}. Not thread-safe. Setters record what they are
     * given, even when it is invalid, so that {@code build()} can report every problem at once.
     */
    public static final class Builder {
        private String service = DEFAULT_SERVICE;
        private String dbRole = DEFAULT_DB_ROLE;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxQueue = DEFAULT_MAX_QUEUE;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int priority = DEFAULT_PRIORITY;
        private PoolingMode mode = DEFAULT_MODE;
        private PinPolicy pinPolicy = DEFAULT_PIN_POLICY;
        private ResetPolicy reset = DEFAULT_RESET;
        private Integer minIdle;
        private Duration maxLifetime = DEFAULT_MAX_LIFETIME;
        private Duration leakThreshold = DEFAULT_LEAK_THRESHOLD;
        private Duration leakReclaim = DEFAULT_LEAK_RECLAIM;
        private boolean trackTransactions;
        private SizingMode sizing = DEFAULT_SIZING;
        private ThrottleMode throttling = DEFAULT_THROTTLING;
        private String budget;
        private int budgetMax;
        private int maxAcquireRate;
        private int breakerFailureRate = DEFAULT_BREAKER_FAILURE_RATE;
        private Duration breakerOpen = DEFAULT_BREAKER_OPEN;
        /** Text that could not be parsed, by key; reported by build(). */
        private final Map<String, PoolConfigException.Violation> unparsable = new LinkedHashMap<>();

        private Builder() {
        }

        /** @param service see {@link PoolConfig#SERVICE}; @return this */
        public Builder service(String service) {
            unparsable.remove(SERVICE);
            this.service = service;
            return this;
        }

        /** @param dbRole see {@link PoolConfig#DB_ROLE}; @return this */
        public Builder dbRole(String dbRole) {
            unparsable.remove(DB_ROLE);
            this.dbRole = dbRole;
            return this;
        }

        /** @param maxConnections see {@link PoolConfig#MAX_CONNECTIONS}; @return this */
        public Builder maxConnections(int maxConnections) {
            unparsable.remove(MAX_CONNECTIONS);
            this.maxConnections = maxConnections;
            return this;
        }

        /** @param maxQueue see {@link PoolConfig#MAX_QUEUE}; @return this */
        public Builder maxQueue(int maxQueue) {
            unparsable.remove(MAX_QUEUE);
            this.maxQueue = maxQueue;
            return this;
        }

        /** @param timeout see {@link PoolConfig#TIMEOUT_MS}; @return this */
        public Builder timeout(Duration timeout) {
            unparsable.remove(TIMEOUT_MS);
            this.timeout = timeout;
            return this;
        }

        /** @param priority see {@link PoolConfig#PRIORITY}; @return this */
        public Builder priority(int priority) {
            unparsable.remove(PRIORITY);
            this.priority = priority;
            return this;
        }

        /** @param mode see {@link PoolConfig#MODE}; @return this */
        public Builder mode(PoolingMode mode) {
            unparsable.remove(MODE);
            this.mode = mode;
            return this;
        }

        /** @param pinPolicy see {@link PoolConfig#PIN_POLICY}; @return this */
        public Builder pinPolicy(PinPolicy pinPolicy) {
            unparsable.remove(PIN_POLICY);
            this.pinPolicy = pinPolicy;
            return this;
        }

        /** @param reset see {@link PoolConfig#RESET}; @return this */
        public Builder reset(ResetPolicy reset) {
            unparsable.remove(RESET);
            this.reset = reset;
            return this;
        }

        /** @param minIdle see {@link PoolConfig#MIN_IDLE}; default: {@code max_connections}; @return this */
        public Builder minIdle(int minIdle) {
            unparsable.remove(MIN_IDLE);
            this.minIdle = minIdle;
            return this;
        }

        /** @param maxLifetime see {@link PoolConfig#MAX_LIFETIME_MS}; @return this */
        public Builder maxLifetime(Duration maxLifetime) {
            unparsable.remove(MAX_LIFETIME_MS);
            this.maxLifetime = maxLifetime;
            return this;
        }

        /** @param leakThreshold see {@link PoolConfig#LEAK_THRESHOLD_MS}; @return this */
        public Builder leakThreshold(Duration leakThreshold) {
            unparsable.remove(LEAK_THRESHOLD_MS);
            this.leakThreshold = leakThreshold;
            return this;
        }

        /** @param leakReclaim see {@link PoolConfig#LEAK_RECLAIM_MS}; @return this */
        public Builder leakReclaim(Duration leakReclaim) {
            unparsable.remove(LEAK_RECLAIM_MS);
            this.leakReclaim = leakReclaim;
            return this;
        }

        /** @param track see {@link PoolConfig#TRACK_TRANSACTIONS}; @return this */
        public Builder trackTransactions(boolean track) {
            unparsable.remove(TRACK_TRANSACTIONS);
            this.trackTransactions = track;
            return this;
        }

        /** @param sizing see {@link PoolConfig#SIZING}; @return this */
        public Builder sizing(SizingMode sizing) {
            unparsable.remove(SIZING);
            this.sizing = sizing;
            return this;
        }

        /** @param throttling see {@link PoolConfig#THROTTLING}; @return this */
        public Builder throttling(ThrottleMode throttling) {
            unparsable.remove(THROTTLING);
            this.throttling = throttling;
            return this;
        }

        /** @param budget see {@link PoolConfig#BUDGET}; {@code null} or empty = none; @return this */
        public Builder budget(String budget) {
            unparsable.remove(BUDGET);
            this.budget = budget;
            return this;
        }

        /** @param budgetMax see {@link PoolConfig#BUDGET_MAX}; @return this */
        public Builder budgetMax(int budgetMax) {
            unparsable.remove(BUDGET_MAX);
            this.budgetMax = budgetMax;
            return this;
        }

        /** @param perSecond see {@link PoolConfig#MAX_ACQUIRE_RATE}; @return this */
        public Builder maxAcquireRate(int perSecond) {
            unparsable.remove(MAX_ACQUIRE_RATE);
            this.maxAcquireRate = perSecond;
            return this;
        }

        /** @param percent see {@link PoolConfig#BREAKER_FAILURE_RATE}; @return this */
        public Builder breakerFailureRate(int percent) {
            unparsable.remove(BREAKER_FAILURE_RATE);
            this.breakerFailureRate = percent;
            return this;
        }

        /** @param open see {@link PoolConfig#BREAKER_OPEN_MS}; @return this */
        public Builder breakerOpen(Duration open) {
            unparsable.remove(BREAKER_OPEN_MS);
            this.breakerOpen = open;
            return this;
        }

        /**
         * Sets one setting from text, as it comes from a URL, {@link java.util.Properties} or an etcd record.
         * Text that does not parse, and a key that is not one of {@link PoolConfig#KEYS}, is reported by
         * {@link #build()} together with every other problem.
         *
         * @param key an external name from {@link PoolConfig#KEYS}
         * @param value the text; surrounding white space is ignored
         * @return this
         */
        public Builder set(String key, String value) {
            // Numbers are taken as given (ASCII digits only, no sign, no white space); names and words are trimmed.
            String raw = value;
            String v = value == null ? null : value.trim();
            switch (key) {
                case SERVICE -> service(v);
                case DB_ROLE -> dbRole(v);
                case MAX_CONNECTIONS -> parseInt(key, raw, this::maxConnections);
                case MAX_QUEUE -> parseInt(key, raw, this::maxQueue);
                case TIMEOUT_MS -> parseLong(key, raw, ms -> timeout(Duration.ofMillis(ms)));
                case PRIORITY -> parseInt(key, raw, this::priority);
                case MIN_IDLE -> parseInt(key, raw, this::minIdle);
                case MAX_LIFETIME_MS -> parseLong(key, raw, ms -> maxLifetime(Duration.ofMillis(ms)));
                case LEAK_THRESHOLD_MS -> parseLong(key, raw, ms -> leakThreshold(Duration.ofMillis(ms)));
                case LEAK_RECLAIM_MS -> parseLong(key, raw, ms -> leakReclaim(Duration.ofMillis(ms)));
                case TRACK_TRANSACTIONS -> {
                    if ("true".equalsIgnoreCase(v) || "false".equalsIgnoreCase(v)) {
                        trackTransactions(Boolean.parseBoolean(v));
                    } else {
                        unparsable.put(key, new PoolConfigException.Violation(key, v, "must be true or false"));
                    }
                }
                case PIN_POLICY -> {
                    PinPolicy p = PinPolicy.parse(v);
                    if (p == null) {
                        unparsable.put(key, new PoolConfigException.Violation(key, v, "must be allow or reject"));
                    } else {
                        pinPolicy(p);
                    }
                }
                case RESET -> {
                    ResetPolicy p = ResetPolicy.parse(v);
                    if (p == null) {
                        unparsable.put(key, new PoolConfigException.Violation(key, v, "must be always or minimal"));
                    } else {
                        reset(p);
                    }
                }
                case SIZING -> {
                    SizingMode m = SizingMode.parse(v);
                    if (m == null) {
                        unparsable.put(key, new PoolConfigException.Violation(key, v, "must be littles_law or fixed"));
                    } else {
                        sizing(m);
                    }
                }
                case THROTTLING -> {
                    ThrottleMode m = ThrottleMode.parse(v);
                    if (m == null) {
                        unparsable.put(key, new PoolConfigException.Violation(key, v, "must be gradient or off"));
                    } else {
                        throttling(m);
                    }
                }
                case BUDGET -> budget(v);
                case BUDGET_MAX -> parseInt(key, raw, this::budgetMax);
                case MAX_ACQUIRE_RATE -> parseInt(key, raw, this::maxAcquireRate);
                case BREAKER_FAILURE_RATE -> parseInt(key, raw, this::breakerFailureRate);
                case BREAKER_OPEN_MS -> parseLong(key, raw, ms -> breakerOpen(Duration.ofMillis(ms)));
                case MODE -> {
                    PoolingMode m = parseMode(v);
                    if (m == null) {
                        unparsable.put(key, new PoolConfigException.Violation(key, v, "must be session or transaction"));
                    } else {
                        mode(m);
                    }
                }
                // The value of an unknown key is never shown: it may be a secret given under a wrong name
                // (pooled.password=...).
                default -> unparsable.put(key, new PoolConfigException.Violation(key, HIDDEN,
                        "is not a known setting (its value is not shown); known settings are "
                                + String.join(", ", KEYS)));
            }
            return this;
        }

        private static PoolingMode parseMode(String v) {
            if (v == null) {
                return null;
            }
            for (PoolingMode m : PoolingMode.values()) {
                if (m.externalName().equals(v.toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            return null;
        }

        private void parseInt(String key, String v, java.util.function.IntConsumer setter) {
            long n = digits(v);
            if (n >= 0 && n <= Integer.MAX_VALUE) {
                setter.accept((int) n);
            } else {
                unparsable.put(key, new PoolConfigException.Violation(key, v, numberRule(key)));
            }
        }

        private void parseLong(String key, String v, java.util.function.LongConsumer setter) {
            long n = digits(v);
            if (n >= 0) {
                setter.accept(n);
            } else {
                unparsable.put(key, new PoolConfigException.Violation(key, v, numberRule(key)));
            }
        }

        /**
         * @return the value of a string of 1 to 18 ASCII digits, or -1 for anything else (empty, a sign, white space,
         *         a non-ASCII digit, or too many digits for any allowed value)
         */
        private static long digits(String v) {
            if (v == null || v.isEmpty() || v.length() > 18) {
                return -1;
            }
            long n = 0;
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c < '0' || c > '9') {
                    return -1;
                }
                n = n * 10 + (c - '0');
            }
            return n;
        }

        /** @return the rule a numeric key's text broke, with the key's allowed range */
        static String numberRule(String key) {
            String range = switch (key) {
                case MAX_CONNECTIONS -> "from 1 to " + MAX_MAX_CONNECTIONS;
                case MAX_QUEUE -> "from 0 to " + MAX_MAX_QUEUE;
                case TIMEOUT_MS -> "from 1 to " + MAX_TIMEOUT_MS + " (milliseconds)";
                case PRIORITY -> "from " + MIN_PRIORITY + " to " + MAX_PRIORITY;
                case MIN_IDLE -> "from 0 to max_connections";
                case MAX_LIFETIME_MS -> "0 (for ever) or from " + MIN_LIFETIME_MS + " to " + MAX_LIFETIME_LIMIT_MS
                        + " (milliseconds)";
                case LEAK_THRESHOLD_MS -> "0 (off) or from " + MIN_LEAK_THRESHOLD_MS + " to max_lifetime_ms"
                        + " (milliseconds)";
                case LEAK_RECLAIM_MS -> "0 (off) or from leak_threshold_ms to " + MAX_LIFETIME_LIMIT_MS
                        + " (milliseconds)";
                case BUDGET_MAX -> "from 1 to " + MAX_MAX_CONNECTIONS + " (0 without budget)";
                case MAX_ACQUIRE_RATE -> "from 0 to " + MAX_ACQUIRE_RATE_LIMIT;
                case BREAKER_FAILURE_RATE -> "from 0 to 100";
                case BREAKER_OPEN_MS -> "from " + MIN_BREAKER_OPEN_MS + " to " + MAX_BREAKER_OPEN_MS + " (milliseconds)";
                default -> "in range";
            };
            return "must be a whole number in ASCII digits 0-9 (no sign, no spaces) " + range;
        }

        /**
         * @return the config
         * @throws PoolConfigException listing every setting that is missing, malformed or out of range
         */
        public PoolConfig build() {
            List<PoolConfigException.Violation> v = new ArrayList<>();
            Map<String, PoolConfigException.Violation> bad = unparsable;
            checkName(v, bad, SERVICE, service);
            checkName(v, bad, DB_ROLE, dbRole);
            checkRange(v, bad, MAX_CONNECTIONS, maxConnections, 1, MAX_MAX_CONNECTIONS);
            checkRange(v, bad, MAX_QUEUE, maxQueue, 0, MAX_MAX_QUEUE);
            if (!bad.containsKey(TIMEOUT_MS)) {
                if (timeout == null || timeout.toMillis() < 1 || timeout.toMillis() > MAX_TIMEOUT_MS) {
                    v.add(new PoolConfigException.Violation(TIMEOUT_MS, millis(timeout),
                            "must be from 1 to " + MAX_TIMEOUT_MS + " ms"));
                }
            }
            checkRange(v, bad, PRIORITY, priority, MIN_PRIORITY, MAX_PRIORITY);
            if (!bad.containsKey(MODE)) {
                if (mode == null) {
                    v.add(new PoolConfigException.Violation(MODE, null, "must be session or transaction"));
                }
            }
            if (!bad.containsKey(PIN_POLICY)) {
                if (pinPolicy == null) {
                    v.add(new PoolConfigException.Violation(PIN_POLICY, null, "must be allow or reject"));
                } else if (pinPolicy == PinPolicy.REJECT && mode != PoolingMode.TRANSACTION) {
                    v.add(new PoolConfigException.Violation(PIN_POLICY, pinPolicy.externalName(),
                            "must be allow unless mode=transaction (only transaction mode pins)"));
                }
            }
            if (!bad.containsKey(RESET) && reset == null) {
                v.add(new PoolConfigException.Violation(RESET, null, "must be always or minimal"));
            }
            if (minIdle != null) {
                checkRange(v, bad, MIN_IDLE, minIdle, 0, Math.max(0, maxConnections));
            }
            if (!bad.containsKey(MAX_LIFETIME_MS)) {
                long ms = maxLifetime == null ? -1 : maxLifetime.toMillis();
                if (ms != 0 && (ms < MIN_LIFETIME_MS || ms > MAX_LIFETIME_LIMIT_MS)) {
                    v.add(new PoolConfigException.Violation(MAX_LIFETIME_MS, millis(maxLifetime),
                            "must be 0 (for ever) or from " + MIN_LIFETIME_MS + " to " + MAX_LIFETIME_LIMIT_MS + " ms"));
                }
            }
            if (!bad.containsKey(LEAK_THRESHOLD_MS)) {
                long ms = leakThreshold == null ? -1 : leakThreshold.toMillis();
                long life = maxLifetime == null ? 0 : maxLifetime.toMillis();
                long upper = life > 0 ? life : MAX_LIFETIME_LIMIT_MS;
                if (ms != 0 && (ms < MIN_LEAK_THRESHOLD_MS || ms > upper)) {
                    v.add(new PoolConfigException.Violation(LEAK_THRESHOLD_MS, millis(leakThreshold),
                            "must be 0 (off) or from " + MIN_LEAK_THRESHOLD_MS + " ms to " + upper
                                    + " ms (at most max_lifetime_ms)"));
                }
            }
            if (!bad.containsKey(LEAK_RECLAIM_MS)) {
                long ms = leakReclaim == null ? -1 : leakReclaim.toMillis();
                long threshold = leakThreshold == null ? 0 : leakThreshold.toMillis();
                long lower = Math.max(MIN_LEAK_THRESHOLD_MS, threshold);
                if (ms != 0 && (ms < lower || ms > MAX_LIFETIME_LIMIT_MS)) {
                    v.add(new PoolConfigException.Violation(LEAK_RECLAIM_MS, millis(leakReclaim),
                            "must be 0 (off) or from " + lower + " to " + MAX_LIFETIME_LIMIT_MS
                                    + " ms (at least leak_threshold_ms)"));
                }
            }
            if (!bad.containsKey(SIZING) && sizing == null) {
                v.add(new PoolConfigException.Violation(SIZING, null, "must be littles_law or fixed"));
            }
            if (!bad.containsKey(THROTTLING) && throttling == null) {
                v.add(new PoolConfigException.Violation(THROTTLING, null, "must be gradient or off"));
            }
            boolean hasBudget = budget != null && !budget.isEmpty();
            if (hasBudget) {
                checkName(v, bad, BUDGET, budget);
                checkRange(v, bad, BUDGET_MAX, budgetMax, 1, MAX_MAX_CONNECTIONS);
            } else if (!bad.containsKey(BUDGET_MAX) && budgetMax != 0) {
                v.add(new PoolConfigException.Violation(BUDGET_MAX, Integer.toString(budgetMax),
                        "must be 0 unless budget names a budget"));
            }
            checkRange(v, bad, MAX_ACQUIRE_RATE, maxAcquireRate, 0, MAX_ACQUIRE_RATE_LIMIT);
            checkRange(v, bad, BREAKER_FAILURE_RATE, breakerFailureRate, 0, 100);
            if (!bad.containsKey(BREAKER_OPEN_MS)) {
                long ms = breakerOpen == null ? -1 : breakerOpen.toMillis();
                if (ms < MIN_BREAKER_OPEN_MS || ms > MAX_BREAKER_OPEN_MS) {
                    v.add(new PoolConfigException.Violation(BREAKER_OPEN_MS, millis(breakerOpen),
                            "must be from " + MIN_BREAKER_OPEN_MS + " to " + MAX_BREAKER_OPEN_MS + " ms"));
                }
            }
            // Report parse failures in documentation order, after nothing else about the same key.
            for (String key : KEYS) {
                if (bad.containsKey(key)) {
                    v.add(bad.get(key));
                }
            }
            for (Map.Entry<String, PoolConfigException.Violation> e : bad.entrySet()) {
                if (!KEYS.contains(e.getKey())) {
                    v.add(e.getValue());
                }
            }
            if (!v.isEmpty()) {
                throw new PoolConfigException(v);
            }
            return new PoolConfig(this);
        }

        private static String millis(Duration d) {
            return d == null ? null : Long.toString(d.toMillis());
        }

        private static void checkName(List<PoolConfigException.Violation> v,
                Map<String, PoolConfigException.Violation> bad, String key, String value) {
            if (!bad.containsKey(key) && (value == null || !NAME.matcher(value).matches())) {
                v.add(new PoolConfigException.Violation(key, value, NAME_RULE));
            }
        }

        private static void checkRange(List<PoolConfigException.Violation> v,
                Map<String, PoolConfigException.Violation> bad, String key, int value, int min, int max) {
            if (!bad.containsKey(key) && (value < min || value > max)) {
                v.add(new PoolConfigException.Violation(key, Integer.toString(value),
                        "must be a whole number from " + min + " to " + max));
            }
        }
    }
}
