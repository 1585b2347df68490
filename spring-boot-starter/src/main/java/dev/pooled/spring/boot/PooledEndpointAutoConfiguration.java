package dev.pooled.spring.boot;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@link PooledEndpoint}, when the application has Spring Boot's actuator and exposes the endpoint.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = PooledDataSourceAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnAvailableEndpoint(PooledEndpoint.class)
public final class PooledEndpointAutoConfiguration {

    /** Created by Spring. */
    PooledEndpointAutoConfiguration() {
    }

    /**
     * @param beanFactory where the pooled data sources are looked up on each call (so that none is created early)
     * @return the endpoint
     */
    @Bean
    @ConditionalOnMissingBean
    PooledEndpoint pooledEndpoint(ConfigurableListableBeanFactory beanFactory) {
        return new PooledEndpoint(() -> PooledBeans.find(beanFactory));
    }
}
