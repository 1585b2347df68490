package dev.pooled.spring.boot;

import dev.pooled.BudgetSource;
import dev.pooled.ConnectionPool;
import dev.pooled.Instrumentation;
import dev.pooled.PoolConfig;
import dev.pooled.PoolConfigException;
import dev.pooled.jdbc.PooledDataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Builds {@link PooledDataSource}s the Spring way: each starts from the {@code pooled.*} defaults, registers its
 * meters in the application's {@code MeterRegistry}, is checked as a whole before it starts (a bad setting fails
 * with {@link InvalidPooledPropertiesException} naming the Spring property), and is drained and closed when the
 * application context closes. The auto-configured {@code DataSource} is built here too; an application with
 * several data sources builds the others (or all of them) from this bean:
 *
 * <pre>{@code
 * @Bean
 * PooledDataSource reportingDataSource(PooledDataSourceFactory pools) throws SQLException {
 *     return pools.builder("reportingDataSource")
 *         .url("jdbc:pooled:mysql://127.0.0.1:3306/reports").username("app").password(secret)
 *         .set(PoolConfig.SERVICE, "reporting").set(PoolConfig.MAX_CONNECTIONS, "4")
 *         .build();
 * }
 * }</pre>
 *
 * <p>Shutdown: as a {@link SmartLifecycle} in a phase after the web server's graceful shutdown, it waits until no
 * connection of its pools is borrowed, at most {@code spring.lifecycle.timeout-per-shutdown-phase}, while the pools
 * still serve; when the context destroys this bean (after every bean that uses a data source), it closes the pools,
 * aborting what is still borrowed once that time is up.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class PooledDataSourceFactory implements SmartLifecycle, DisposableBean {
    /** After Spring Boot's graceful web server shutdown ({@code DEFAULT_PHASE - 1024}) and its stop (- 2048). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;
    /** Whether pooled-jdbc-etcd, which serves the etcd.* settings, is on the class path. */
    private static final boolean ETCD_PRESENT = isPresent("dev.pooled.etcd.EtcdSettings");

    private final PooledProperties defaults;
    private final String defaultService;
    private final Instrumentation instrumentation;
    private final BudgetSource budgets;
    private final Duration shutdownTimeout;
    private final List<PooledDataSource> built = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    /** {@link System#nanoTime()} by which the drain must end; 0 until {@link #stop(Runnable)} ran. */
    private volatile long drainDeadline;

    /**
     * @param defaults the {@code pooled.*} properties every builder starts from
     * @param defaultService the service when {@code pooled.service} is unset (the application's name), or
     *        {@code null} for the library's default
     * @param instrumentation where meters go (the application's registry)
     * @param budgets where budgets are found
     * @param shutdownTimeout the longest drain at shutdown
     */
    public PooledDataSourceFactory(PooledProperties defaults, String defaultService, Instrumentation instrumentation,
            BudgetSource budgets, Duration shutdownTimeout) {
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.defaultService = defaultService;
        this.instrumentation = Objects.requireNonNull(instrumentation, "instrumentation");
        this.budgets = Objects.requireNonNull(budgets, "budgets");
        this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, PooledDataSourceFactory.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * @param name the data source's name in error messages (its bean name, say)
     * @return a builder holding the {@code pooled.*} defaults
     */
    public Builder builder(String name) {
        return new Builder(name);
    }

    /** @return the instrumentation every pool built here gets */
    public Instrumentation instrumentation() {
        return instrumentation;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        drain();
        running = false;
    }

    @Override
    public void stop(Runnable callback) {
        Thread t = new Thread(() -> {
            try {
                drain();
            } finally {
                running = false;
                callback.run();
            }
        }, "pooled-shutdown-drain");
        t.setDaemon(true);
        t.start();
    }

    /** Waits until no connection is borrowed from any pool built here, or the shutdown timeout has passed. */
    private void drain() {
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        drainDeadline = deadline;
        for (PooledDataSource ds : built) {
            ConnectionPool pool = ds.pool();
            // Polled: shutdown happens once, and a signal on release would cost every borrow.
            while (!pool.isClosed() && (pool.active() > 0 || pool.queued() > 0) && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Closes every pool built here; what is still borrowed after the shutdown timeout is aborted. */
    @Override
    public void destroy() {
        long deadline = drainDeadline;
        Duration left = deadline == 0 ? shutdownTimeout
                : Duration.ofNanos(Math.max(0L, deadline - System.nanoTime()));
        for (PooledDataSource ds : built) {
            ds.pool().close(left);
        }
    }

    /** Collects one data source's URL, credentials and settings. Not thread-safe. */
    public final class Builder {
        private final String name;
        private String url;
        private String username;
        private String password;
        private String driverClassName;
        private final Properties driverProperties = new Properties();
        /** Settings by external name, {@code pooled.*} defaults first; a later {@link #set} wins. */
        private final Map<String, String> settings = new LinkedHashMap<>();
        /** Settings given through {@link #set}: their errors name the key, not a {@code pooled.*} property. */
        private final Map<String, String> explicit = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
            settings.putAll(defaults.settings());
        }

        /** @param url {@code jdbc:pooled:...}, or a plain driver URL; @return this */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        /** @param username the database user, or {@code null} for the driver's default; @return this */
        public Builder username(String username) {
            this.username = username;
            return this;
        }

        /** @param password the password, or {@code null}; never shown; @return this */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /**
         * @param driverClassName a JDBC driver class to load before the URL is resolved (for drivers that do not
         *        register themselves through {@code java.util.ServiceLoader}), or {@code null}
         * @return this
         */
        public Builder driverClassName(String driverClassName) {
            this.driverClassName = driverClassName;
            return this;
        }

        /** @param property a property for the database's driver; @param value its value; @return this */
        public Builder driverProperty(String property, String value) {
            driverProperties.setProperty(property, value);
            return this;
        }

        /**
         * @param key an external setting name from {@link PoolConfig#KEYS}, such as {@code max_connections}
         * @param value its value as text (times in milliseconds); wins over the {@code pooled.*} default
         * @return this
         */
        public Builder set(String key, String value) {
            String k = key.startsWith("pooled.") ? key.substring("pooled.".length()) : key;
            settings.put(k, value);
            explicit.put(k, value);
            return this;
        }

        /**
         * Checks every setting, starts the pool (opening its first connection) and hands the data source to the
         * factory, which drains and closes it at shutdown.
         *
         * @return the data source
         * @throws InvalidPooledPropertiesException naming every bad setting by Spring property
         * @throws dev.pooled.jdbc.InvalidPooledUrlException if the URL or its {@code pooled.*} parameters are bad, or
         *         no driver accepts it
         * @throws dev.pooled.PoolStartException if the first connection fails
         */
        public PooledDataSource build() throws SQLException {
            String origin = "data source '" + name + "'";
            check(origin);
            PooledDataSource.Builder b = PooledDataSource.builder().url(url).properties(driverProperties)
                    .instrumentation(instrumentation).budgets(budgets);
            if (username != null) {
                b.user(username);
            }
            if (password != null) {
                b.password(password);
            }
            if (defaultService != null && !settings.containsKey(PoolConfig.SERVICE)) {
                b.set(PoolConfig.SERVICE, defaultService);
            }
            settings.forEach(b::set);
            PooledDataSource ds = b.build();
            built.add(ds);
            return ds;
        }

        /** Checks the settings before anything starts, so that errors can name Spring properties. */
        private void check(String origin) {
            List<InvalidPooledPropertiesException.Violation> v = new ArrayList<>();
            if (url == null || url.isBlank()) {
                v.add(new InvalidPooledPropertiesException.Violation("spring.datasource.url", null,
                        "must be a JDBC URL such as jdbc:pooled:postgresql://host:5432/db"));
            }
            if (driverClassName != null && !driverClassName.isBlank()) {
                try {
                    Class.forName(driverClassName, true, Thread.currentThread().getContextClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    v.add(new InvalidPooledPropertiesException.Violation("spring.datasource.driver-class-name",
                            driverClassName, "must be a JDBC driver class on the class path"));
                }
            }
            if (!ETCD_PRESENT) {
                for (Map.Entry<String, String> e : settings.entrySet()) {
                    String k = e.getKey();
                    if (k.startsWith("etcd.") || k.equals("instance_id")) {
                        v.add(new InvalidPooledPropertiesException.Violation(
                                explicit.containsKey(k) ? "set(\"" + k + "\")" : PooledProperties.propertyName(k),
                                k.contains("password") ? "******" : e.getValue(),
                                "needs dev.pooled:pooled-jdbc-etcd on the class path"));
                    }
                }
            }
            PoolConfig.Builder b = PoolConfig.builder();
            if (username != null && !username.isEmpty()) {
                b.dbRole(username); // as the library does: db_role defaults to the user
            }
            // Only the pool's own settings are checked here; the library checks the others (an extension's, such as
            // etcd.*, or a misspelt key) and names them in its own error.
            settings.forEach((k, val) -> {
                if (PoolConfig.KEYS.contains(k)) {
                    b.set(k, val);
                }
            });
            try {
                b.build();
            } catch (PoolConfigException e) {
                InvalidPooledPropertiesException mapped = InvalidPooledPropertiesException.of(origin, e);
                List<PoolConfigException.Violation> raw = e.violations();
                for (int i = 0; i < raw.size(); i++) {
                    InvalidPooledPropertiesException.Violation m = mapped.violations().get(i);
                    String key = raw.get(i).key();
                    if (explicit.containsKey(key)) {
                        m = new InvalidPooledPropertiesException.Violation("set(\"" + key + "\")", raw.get(i).value(),
                                m.rule());
                    } else if (key.equals(PoolConfig.DB_ROLE) && !settings.containsKey(key)) {
                        m = new InvalidPooledPropertiesException.Violation(m.property() + " (defaults to"
                                + " spring.datasource.username)", m.value(), m.rule());
                    }
                    v.add(m);
                }
            }
            if (!v.isEmpty()) {
                throw new InvalidPooledPropertiesException(origin, v);
            }
        }

        @Override
        public String toString() {
            return "PooledDataSourceFactory.Builder[" + name + "]";
        }
    }
}
