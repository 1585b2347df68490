package dev.pooled.spring.boot.app;

import dev.pooled.PoolConfig;
import dev.pooled.jdbc.PooledDataSource;
import dev.pooled.spring.boot.PooledDataSourceFactory;
import java.sql.SQLException;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * A Spring Boot application as a user writes it: the primary data source comes from {@code spring.datasource.*}
 * (PostgreSQL, auto-configured), a second one (MariaDB) from the {@link PooledDataSourceFactory} bean, declared
 * {@code defaultCandidate = false} so that the auto-configured one stays (Spring Boot's rule for extra data sources).
 */
@SpringBootApplication
public class DemoApplication {

    /** The MariaDB URL the tests use. */
    public static final String MYSQL_URL = "jdbc:pooled:mysql://127.0.0.1:3306/test";

    @Bean(defaultCandidate = false)
    @Qualifier("reporting")
    PooledDataSource reportingDataSource(PooledDataSourceFactory pools) throws SQLException {
        return pools.builder("reportingDataSource").url(MYSQL_URL).username("root").password("")
                .set(PoolConfig.SERVICE, "h6reporting").set(PoolConfig.MAX_CONNECTIONS, "3")
                .set(PoolConfig.MODE, "session").build();
    }

    @Bean(defaultCandidate = false)
    @Qualifier("reporting")
    JdbcTemplate reportingJdbcTemplate(@Qualifier("reporting") PooledDataSource ds) {
        return new JdbcTemplate(ds);
    }

    @Bean(defaultCandidate = false)
    @Qualifier("reporting")
    DataSourceTransactionManager reportingTransactionManager(@Qualifier("reporting") PooledDataSource ds) {
        return new DataSourceTransactionManager(ds);
    }
}
