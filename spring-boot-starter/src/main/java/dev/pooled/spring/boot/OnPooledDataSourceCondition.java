package dev.pooled.spring.boot;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when the application's data source should be pooled by this library: {@code pooled.enabled=true}, or
 * {@code pooled.enabled} unset and {@code spring.datasource.url} starting with {@code jdbc:pooled:}. A plain URL is
 * left to Spring Boot's own pool unless enabled.
 */
final class OnPooledDataSourceCondition extends SpringBootCondition {
    static final String URL_PROPERTY = "spring.datasource.url";
    static final String ENABLED_PROPERTY = PooledProperties.PREFIX + ".enabled";
    static final String PREFIX = "jdbc:pooled:";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        ConditionMessage.Builder message = ConditionMessage.forCondition("PooledDataSource");
        Environment env = context.getEnvironment();
        String enabled = env.getProperty(ENABLED_PROPERTY);
        if ("false".equalsIgnoreCase(enabled)) {
            return ConditionOutcome.noMatch(message.because(ENABLED_PROPERTY + " is false"));
        }
        if ("true".equalsIgnoreCase(enabled)) {
            return ConditionOutcome.match(message.because(ENABLED_PROPERTY + " is true"));
        }
        String url;
        try {
            url = env.getProperty(URL_PROPERTY);
        } catch (IllegalArgumentException e) {
            url = null; // an unresolvable placeholder: not ours to report
        }
        if (url != null && url.startsWith(PREFIX)) {
            return ConditionOutcome.match(message.because(URL_PROPERTY + " starts with " + PREFIX));
        }
        return ConditionOutcome.noMatch(message.because(URL_PROPERTY + " does not start with " + PREFIX
                + " and " + ENABLED_PROPERTY + " is not true"));
    }
}
