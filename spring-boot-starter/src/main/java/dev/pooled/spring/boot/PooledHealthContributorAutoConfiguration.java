package dev.pooled.spring.boot;

import dev.pooled.jdbc.PooledDataSource;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * A health contributor {@code pooled} with one {@link PooledHealthIndicator} per {@link PooledDataSource} bean, named
 * by bean name ({@code /actuator/health/pooled/dataSource}). Off with {@code management.health.pooled.enabled=false}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = PooledDataSourceAutoConfiguration.class,
        afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(DataSource.class)
@ConditionalOnEnabledHealthIndicator("pooled")
public final class PooledHealthContributorAutoConfiguration {

    /** Created by Spring. */
    PooledHealthContributorAutoConfiguration() {
    }

    /**
     * @param beanFactory to find every pooled data source, whatever type its bean method declares
     * @return the contributor, or an empty composite when no data source is pooled
     */
    @Bean
    @ConditionalOnMissingBean(name = "pooledHealthContributor")
    HealthContributor pooledHealthContributor(ConfigurableListableBeanFactory beanFactory) {
        Map<String, PooledDataSource> pools = PooledBeans.find(beanFactory);
        Map<String, HealthContributor> indicators = new LinkedHashMap<>();
        pools.forEach((name, ds) -> indicators.put(name, new PooledHealthIndicator(ds)));
        return CompositeHealthContributor.fromMap(indicators);
    }
}
