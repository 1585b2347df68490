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

    /** Every setting name, in documentation order. */
    public static final List<String> KEYS = List.of(SERVICE, DB_ROLE, MAX_CONNECTIONS, MAX_QUEUE, TIMEOUT_MS,
            PRIORITY, MODE, MIN_IDLE, MAX_LIFETIME_MS, LEAK_THRESHOLD_MS);

    public static final String DEFAULT_SERVICE = "default";
    public static final String DEFAULT_DB_ROLE = "default";
    public static final int DEFAULT_MAX_CONNECTIONS = 10;
    public static final int DEFAULT_MAX_QUEUE = 200;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int MIN_PRIORITY = 0;
    public static final int MAX_PRIORITY = 9;
    public static final int DEFAULT_PRIORITY = 5;
    public static final PoolingMode DEFAULT_MODE = PoolingMode.SESSION;
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(30);
    public static final Duration DEFAULT_LEAK_THRESHOLD = Duration.ZERO;

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
    private static final String NAME_RULE = "must be 1 to 128 characters from A-Z a-z 0-9 . _ @ + -";

    private final String service;
    private final String dbRole;
    private final int maxConnections;
    private final int maxQueue;
    private final Duration timeout;
    private final int priority;
    private final PoolingMode mode;
    private final int minIdle;
    private final Duration maxLifetime;
    private final Duration leakThreshold;

    private PoolConfig(Builder b) {
        this.service = b.service;
        this.dbRole = b.dbRole;
        this.maxConnections = b.maxConnections;
        this.maxQueue = b.maxQueue;
        this.timeout = b.timeout;
        this.priority = b.priority;
        this.mode = b.mode;
        this.minIdle = b.minIdle == null ? b.maxConnections : b.minIdle;
        this.maxLifetime = b.maxLifetime;
        this.leakThreshold = b.leakThreshold;
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
        b.minIdle = minIdle;
        b.maxLifetime = maxLifetime;
        b.leakThreshold = leakThreshold;
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
        m.put(MIN_IDLE, Integer.toString(minIdle));
        m.put(MAX_LIFETIME_MS, Long.toString(maxLifetime.toMillis()));
        m.put(LEAK_THRESHOLD_MS, Long.toString(leakThreshold.toMillis()));
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
                && timeout.equals(c.timeout) && mode == c.mode && maxLifetime.equals(c.maxLifetime)
                && leakThreshold.equals(c.leakThreshold);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, dbRole, maxConnections, maxQueue, timeout, priority, mode, minIdle, maxLifetime,
                leakThreshold);
    }

    @Override
    public String toString() {
        return "PoolConfig" + asMap();
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
        private Integer minIdle;
        private Duration maxLifetime = DEFAULT_MAX_LIFETIME;
        private Duration leakThreshold = DEFAULT_LEAK_THRESHOLD;
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
            String v = value == null ? null : value.trim();
            switch (key) {
                case SERVICE -> service(v);
                case DB_ROLE -> dbRole(v);
                case MAX_CONNECTIONS -> parseInt(key, v, this::maxConnections);
                case MAX_QUEUE -> parseInt(key, v, this::maxQueue);
                case TIMEOUT_MS -> parseLong(key, v, ms -> timeout(Duration.ofMillis(ms)));
                case PRIORITY -> parseInt(key, v, this::priority);
                case MIN_IDLE -> parseInt(key, v, this::minIdle);
                case MAX_LIFETIME_MS -> parseLong(key, v, ms -> maxLifetime(Duration.ofMillis(ms)));
                case LEAK_THRESHOLD_MS -> parseLong(key, v, ms -> leakThreshold(Duration.ofMillis(ms)));
                case MODE -> {
                    PoolingMode m = parseMode(v);
                    if (m == null) {
                        unparsable.put(key, new PoolConfigException.Violation(key, v, "must be session or transaction"));
                    } else {
                        mode(m);
                    }
                }
                default -> unparsable.put(key, new PoolConfigException.Violation(key, v,
                        "is not a known setting; known settings are " + String.join(", ", KEYS)));
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
            try {
                setter.accept(Integer.parseInt(v));
            } catch (NumberFormatException e) {
                unparsable.put(key, new PoolConfigException.Violation(key, v, "must be a whole number"));
            }
        }

        private void parseLong(String key, String v, java.util.function.LongConsumer setter) {
            try {
                setter.accept(Long.parseLong(v));
            } catch (NumberFormatException | ArithmeticException e) {
                unparsable.put(key, new PoolConfigException.Violation(key, v, "must be a whole number of milliseconds"));
            }
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
                } else if (mode == PoolingMode.TRANSACTION) {
                    v.add(new PoolConfigException.Violation(MODE, mode.externalName(),
                            "transaction mode is not available in this release; allowed: session"));
                }
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
