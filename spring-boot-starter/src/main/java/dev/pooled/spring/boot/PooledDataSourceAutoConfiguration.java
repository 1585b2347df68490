package dev.pooled.spring.boot;

import dev.pooled.BudgetSource;
import dev.pooled.Instrumentation;
import dev.pooled.jdbc.PooledDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import javax.sql.XADataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Makes the application's {@code DataSource} a {@link PooledDataSource} when {@code spring.datasource.url} starts
 * with {@code jdbc:pooled:} or {@code pooled.enabled=true}, built from {@code spring.datasource.*} and the
 * {@code pooled.*} defaults. Runs before Spring Boot's {@link DataSourceAutoConfiguration}, so that Spring Boot's
 * own pool is not built; backs off when the application defines a {@code DataSource} itself. The
 * {@link PooledDataSourceFactory} is always there, for applications that build their data sources themselves.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class)
@ConditionalOnClass({ PooledDataSource.class, DataSource.class })
@EnableConfigurationProperties({ PooledProperties.class, DataSourceProperties.class })
public final class PooledDataSourceAutoConfiguration {
    /** Names that are safe as a service tag, as {@code dev.pooled.PoolConfig} checks them. */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._@+-]{1,128}");

    /** Created by Spring. */
    PooledDataSourceAutoConfiguration() {
    }

    /**
     * @param properties the {@code pooled.*} defaults
     * @param meterRegistries the application's meter registry, if it has one
     * @param environment for the application's name and the shutdown timeout
     * @return the factory every pooled data source of the application is built by
     */
    @Bean
    @ConditionalOnMissingBean
    PooledDataSourceFactory pooledDataSourceFactory(PooledProperties properties,
            ObjectProvider<MeterRegistry> meterRegistries, Environment environment) {
        // Without a registry of the application's own, meters go nowhere rather than into the global registry.
        MeterRegistry registry = meterRegistries.getIfUnique(CompositeMeterRegistry::new);
        // An MBean per pool only with spring.jmx.enabled, as Spring Boot does for its own pools.
        boolean jmx = Binder.get(environment).bind("spring.jmx.enabled", Boolean.class).orElse(false);
        Instrumentation instrumentation = Instrumentation.builder().meterRegistry(registry).jmx(jmx).build();
        String app = environment.getProperty("spring.application.name");
        String service = app != null && SAFE_NAME.matcher(app).matches() ? app : null;
        Duration timeout = Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(Duration.ofSeconds(30));
        return new PooledDataSourceFactory(properties, service, instrumentation, BudgetSource.local(), timeout);
    }

    /** The application's data source, when it is ours to build. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(OnPooledDataSourceCondition.class)
    @ConditionalOnMissingBean({ DataSource.class, XADataSource.class })
    static class PooledDataSourceConfiguration {

        /**
         * Closed by the factory (after every bean that uses it), not here, so that the pool drains at shutdown.
         *
         * @param factory builds it
         * @param properties {@code spring.datasource.*}
         * @param connectionDetails a service connection (Docker Compose, Testcontainers), which wins over the
         *        properties as in Spring Boot
         * @return the data source
         * @throws SQLException if the pool cannot start
         */
        @Bean(destroyMethod = "")
        PooledDataSource dataSource(PooledDataSourceFactory factory, DataSourceProperties properties,
                ObjectProvider<JdbcConnectionDetails> connectionDetails) throws SQLException {
            PooledDataSourceFactory.Builder b = factory.builder("dataSource");
            JdbcConnectionDetails details = connectionDetails.getIfAvailable();
            if (details != null) {
                b.url(details.getJdbcUrl()).username(details.getUsername()).password(details.getPassword());
            } else {
                b.url(properties.getUrl()).username(properties.getUsername())
                        .password(properties.getPassword()).driverClassName(properties.getDriverClassName());
            }
            return b.build();
        }
    }
}
