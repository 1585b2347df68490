package dev.pooled.spring.boot;

import dev.pooled.PoolConfig;
import dev.pooled.PoolingMode;
import dev.pooled.SizingMode;
import dev.pooled.ThrottleMode;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;

/**
 * The {@code pooled.*} properties: whether the starter builds the application's {@code DataSource}, and the
 * defaults of every pool setting for each pool the starter builds. A property left unset keeps the library's
 * default (the one {@code docs/spring-boot.md} lists); a set one is checked at start-up together with all the others.
 * Times take a unit ({@code 500ms}, {@code 5s}); a bare number is milliseconds, as in the library's {@code *_ms}
 * settings.
 *
 * <p>Spring binding only: mutable and not thread-safe. {@link #settings()} turns the properties into the library's
 * settings by external name. {@code pooled.etcd.*} and {@code pooled.instance-id} go to pooled-jdbc-etcd, when the
 * application has it.
 *
 * @since 0.1.0
 */
@ConfigurationProperties(prefix = PooledProperties.PREFIX)
public class PooledProperties {

    /** The prefix of every property here. */
    public static final String PREFIX = "pooled";

    /**
     * Whether the application's DataSource is a PooledDataSource. Unset: only when spring.datasource.url starts with
     * jdbc:pooled:. true: also for a plain URL such as jdbc:postgresql://... false: never (Spring Boot's own pool
     * serves).
     */
    private Boolean enabled;

    /**
     * Service this pool serves: a tag on every metric and half of the pool's name. Default: spring.application.name
     * when it is a valid name (letters, digits and . _ @ + -), else "default".
     */
    private String service;

    /** Database role this pool serves: the other half of the pool's name. Default: the database user name. */
    private String dbRole;

    /** Most physical connections the pool opens, and the most callers that hold one at a time. Default 10. */
    private Integer maxConnections;

    /** Most callers that wait for a connection; one more is turned away at once. 0 to 100000. Default 200. */
    private Integer maxQueue;

    /** Longest a caller waits for a connection, 1 ms to 1 h. Default 5s. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration timeout;

    /** Priority of callers that name none, 0 (lowest) to 9; higher priorities are served first. Default 5. */
    private Integer priority;

    /**
     * Pooling mode: session (a caller holds one physical connection until it closes its connection) or transaction
     * (a physical connection is bound per transaction). Default session.
     */
    private PoolingMode mode;

    /**
     * What transaction mode does with a statement that leaves session state behind and would pin the connection:
     * allow (run it and pin) or reject (refuse it). Reject needs mode=transaction. Default allow.
     */
    private PoolConfig.PinPolicy pinPolicy;

    /**
     * How transaction mode cleans a physical connection after each transaction: always (a full reset after every
     * transaction) or minimal (a full reset only when a statement may have changed session state). Default always.
     */
    private String reset;

    /** Fewest idle connections the pool keeps open, at most max-connections. Default 2 with sizing=littles-law. */
    private Integer minIdle;

    /** Longest life of a physical connection: 0 (for ever) or 30s to 24h. Default 30m. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration maxLifetime;

    /** Hold time after which a borrowed connection is reported as a leak: 0 (off) or 2s to max-lifetime. Default 0. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration leakThreshold;

    /**
     * Hold time after which a borrowed connection is taken back (aborted; the server rolls its transaction back):
     * 0 (off) or at least leak-threshold and 2s, at most 24h. Default 0.
     */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration leakReclaim;

    /** Whether to time transactions (begin to commit or rollback) and trace them. Default false. */
    private Boolean trackTransactions;

    /**
     * How the pool sizes itself: littles-law (to the measured arrival rate times hold time, plus headroom) or fixed
     * (max-connections). Default littles-law.
     */
    private SizingMode sizing;

    /**
     * Whether the connection limit follows the database's latency: gradient (lower it when hold times rise and turn
     * callers away early) or off. Default gradient.
     */
    private ThrottleMode throttling;

    /** Name of a connection budget that pools in this process share; empty for none. Default none. */
    private String budget;

    /** Most connections all pools naming the same budget hold together, 1 to 10000; required with budget. */
    private Integer budgetMax;

    /** Most acquisitions per second the pool admits, 0 (no limit) to 1000000; more are turned away. Default 0. */
    private Integer maxAcquireRate;

    /** Share of failed physical acquisitions, in percent, that opens the circuit breaker; 0 for no breaker. Default 50. */
    private Integer breakerFailureRate;

    /** How long an open circuit breaker turns callers away before it lets probes through, 100ms to 10m. Default 5s. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration breakerOpen;

    /**
     * Instance id of this process for staged rollouts of etcd config records (pooled-jdbc-etcd); default: derived from
     * the host and process.
     */
    private String instanceId;

    /** etcd settings (pooled-jdbc-etcd): where pool configs and budgets live. Unset endpoints: no etcd. */
    private final Etcd etcd = new Etcd();

    /**
     * @param key an external setting name from {@link PoolConfig#KEYS} (or an etcd one, such as
     *        {@code etcd.timeout_ms}), with or without {@code pooled.}
     * @return its Spring property name, such as {@code pooled.timeout}: kebab case, without the {@code _ms} or
     *         {@code _s} unit (the property is a {@link Duration})
     */
    public static String propertyName(String key) {
        String k = key.startsWith(PREFIX + ".") ? key.substring(PREFIX.length() + 1) : key;
        if (k.endsWith("_ms")) {
            k = k.substring(0, k.length() - 3);
        } else if (k.endsWith("_s")) {
            k = k.substring(0, k.length() - 2);
        }
        return PREFIX + "." + k.replace('_', '-').toLowerCase(Locale.ROOT);
    }

    /**
     * @return the properties that are set, by the library's external setting name ({@code max_connections}), as the
     *         text {@link PoolConfig.Builder#set(String, String)} takes; times in milliseconds
     */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, PoolConfig.SERVICE, service);
        put(m, PoolConfig.DB_ROLE, dbRole);
        put(m, PoolConfig.MAX_CONNECTIONS, maxConnections);
        put(m, PoolConfig.MAX_QUEUE, maxQueue);
        put(m, PoolConfig.TIMEOUT_MS, timeout);
        put(m, PoolConfig.PRIORITY, priority);
        put(m, PoolConfig.MODE, mode == null ? null : mode.externalName());
        put(m, PoolConfig.PIN_POLICY, pinPolicy == null ? null : pinPolicy.externalName());
        // By name and as text until PoolConfig.RESET and its ResetPolicy enum are in the core this module builds on.
        put(m, "reset", reset);
        put(m, PoolConfig.MIN_IDLE, minIdle);
        put(m, PoolConfig.MAX_LIFETIME_MS, maxLifetime);
        put(m, PoolConfig.LEAK_THRESHOLD_MS, leakThreshold);
        put(m, PoolConfig.LEAK_RECLAIM_MS, leakReclaim);
        put(m, PoolConfig.TRACK_TRANSACTIONS, trackTransactions);
        put(m, PoolConfig.SIZING, sizing == null ? null : sizing.externalName());
        put(m, PoolConfig.THROTTLING, throttling == null ? null : throttling.externalName());
        put(m, PoolConfig.BUDGET, budget);
        put(m, PoolConfig.BUDGET_MAX, budgetMax);
        put(m, PoolConfig.MAX_ACQUIRE_RATE, maxAcquireRate);
        put(m, PoolConfig.BREAKER_FAILURE_RATE, breakerFailureRate);
        put(m, PoolConfig.BREAKER_OPEN_MS, breakerOpen);
        put(m, "instance_id", instanceId);
        etcd.putSettings(m);
        return m;
    }

    private static void put(Map<String, String> m, String key, Object value) {
        if (value instanceof Duration) {
            m.put(key, Long.toString(((Duration) value).toMillis()));
        } else if (value != null) {
            m.put(key, value.toString());
        }
    }

    public String getInstanceId() {
        return instanceId;
    }

    public void setInstanceId(String instanceId) {
        this.instanceId = instanceId;
    }

    public Etcd getEtcd() {
        return etcd;
    }

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public String getService() {
        return service;
    }

    public void setService(String service) {
        this.service = service;
    }

    public String getDbRole() {
        return dbRole;
    }

    public void setDbRole(String dbRole) {
        this.dbRole = dbRole;
    }

    public Integer getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(Integer maxConnections) {
        this.maxConnections = maxConnections;
    }

    public Integer getMaxQueue() {
        return maxQueue;
    }

    public void setMaxQueue(Integer maxQueue) {
        this.maxQueue = maxQueue;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public Integer getPriority() {
        return priority;
    }

    public void setPriority(Integer priority) {
        this.priority = priority;
    }

    public PoolingMode getMode() {
        return mode;
    }

    public void setMode(PoolingMode mode) {
        this.mode = mode;
    }

    public PoolConfig.PinPolicy getPinPolicy() {
        return pinPolicy;
    }

    public void setPinPolicy(PoolConfig.PinPolicy pinPolicy) {
        this.pinPolicy = pinPolicy;
    }

    public String getReset() {
        return reset;
    }

    public void setReset(String reset) {
        this.reset = reset;
    }

    public Integer getMinIdle() {
        return minIdle;
    }

    public void setMinIdle(Integer minIdle) {
        this.minIdle = minIdle;
    }

    public Duration getMaxLifetime() {
        return maxLifetime;
    }

    public void setMaxLifetime(Duration maxLifetime) {
        this.maxLifetime = maxLifetime;
    }

    public Duration getLeakThreshold() {
        return leakThreshold;
    }

    public void setLeakThreshold(Duration leakThreshold) {
        this.leakThreshold = leakThreshold;
    }

    public Duration getLeakReclaim() {
        return leakReclaim;
    }

    public void setLeakReclaim(Duration leakReclaim) {
        this.leakReclaim = leakReclaim;
    }

    public Boolean getTrackTransactions() {
        return trackTransactions;
    }

    public void setTrackTransactions(Boolean trackTransactions) {
        this.trackTransactions = trackTransactions;
    }

    public SizingMode getSizing() {
        return sizing;
    }

    public void setSizing(SizingMode sizing) {
        this.sizing = sizing;
    }

    public ThrottleMode getThrottling() {
        return throttling;
    }

    public void setThrottling(ThrottleMode throttling) {
        this.throttling = throttling;
    }

    public String getBudget() {
        return budget;
    }

    public void setBudget(String budget) {
        this.budget = budget;
    }

    public Integer getBudgetMax() {
        return budgetMax;
    }

    public void setBudgetMax(Integer budgetMax) {
        this.budgetMax = budgetMax;
    }

    public Integer getMaxAcquireRate() {
        return maxAcquireRate;
    }

    public void setMaxAcquireRate(Integer maxAcquireRate) {
        this.maxAcquireRate = maxAcquireRate;
    }

    public Integer getBreakerFailureRate() {
        return breakerFailureRate;
    }

    public void setBreakerFailureRate(Integer breakerFailureRate) {
        this.breakerFailureRate = breakerFailureRate;
    }

    public Duration getBreakerOpen() {
        return breakerOpen;
    }

    public void setBreakerOpen(Duration breakerOpen) {
        this.breakerOpen = breakerOpen;
    }

    /**
     * The {@code pooled.etcd.*} properties, passed to pooled-jdbc-etcd as its {@code etcd.*} settings (which it
     * checks). Without that module on the class path, setting any of them fails the start naming the module.
     */
    public static class Etcd {
        /** etcd endpoints, http://host:port or https://host:port; setting them turns etcd on. */
        private List<String> endpoints;

        /** Key prefix such as /team-a under which every key of this library lives. Default: none. */
        private String namespace;

        /** PEM file of the certificate authorities that sign etcd's server certificate (TLS). */
        private String caFile;

        /** PEM client certificate file (mutual TLS); needs key-file. */
        private String certFile;

        /** PEM PKCS#8 private key file of cert-file. */
        private String keyFile;

        /** etcd user (etcd's own authentication); needs a password. */
        private String user;

        /** etcd password; never shown. Prefer password-ref. */
        private String password;

        /** Where the etcd password is read from: env:NAME or file:/path. */
        private String passwordRef;

        /** Deadline of every etcd call. Default 5s. */
        @DurationUnit(ChronoUnit.MILLIS)
        private Duration timeout;

        /** TTL of the lease that keeps this instance's key alive, whole seconds. Default 10s. */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration leaseTtl;

        /** Whether a config record may carry a plaintext password (else it must name one with password_ref). */
        private Boolean allowPlaintextPassword;

        void putSettings(Map<String, String> m) {
            if (endpoints != null && !endpoints.isEmpty()) {
                m.put("etcd.endpoints", String.join(",", endpoints));
            }
            put(m, "etcd.namespace", namespace);
            put(m, "etcd.ca_file", caFile);
            put(m, "etcd.cert_file", certFile);
            put(m, "etcd.key_file", keyFile);
            put(m, "etcd.user", user);
            put(m, "etcd.password", password);
            put(m, "etcd.password_ref", passwordRef);
            put(m, "etcd.timeout_ms", timeout);
            put(m, "etcd.lease_ttl_s", leaseTtl == null ? null : Long.toString(leaseTtl.toSeconds()));
            put(m, "etcd.allow_plaintext_password", allowPlaintextPassword);
        }

        public List<String> getEndpoints() {
            return endpoints;
        }

        public void setEndpoints(List<String> endpoints) {
            this.endpoints = endpoints;
        }

        public String getNamespace() {
            return namespace;
        }

        public void setNamespace(String namespace) {
            this.namespace = namespace;
        }

        public String getCaFile() {
            return caFile;
        }

        public void setCaFile(String caFile) {
            this.caFile = caFile;
        }

        public String getCertFile() {
            return certFile;
        }

        public void setCertFile(String certFile) {
            this.certFile = certFile;
        }

        public String getKeyFile() {
            return keyFile;
        }

        public void setKeyFile(String keyFile) {
            this.keyFile = keyFile;
        }

        public String getUser() {
            return user;
        }

        public void setUser(String user) {
            this.user = user;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public String getPasswordRef() {
            return passwordRef;
        }

        public void setPasswordRef(String passwordRef) {
            this.passwordRef = passwordRef;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Duration getLeaseTtl() {
            return leaseTtl;
        }

        public void setLeaseTtl(Duration leaseTtl) {
            this.leaseTtl = leaseTtl;
        }

        public Boolean getAllowPlaintextPassword() {
            return allowPlaintextPassword;
        }

        public void setAllowPlaintextPassword(Boolean allowPlaintextPassword) {
            this.allowPlaintextPassword = allowPlaintextPassword;
        }

        @Override
        public String toString() {
            return "Etcd[endpoints=" + endpoints + ", namespace=" + namespace + ", user=" + user + ", password="
                    + (password == null ? "none" : "******") + "]";
        }
    }
}
