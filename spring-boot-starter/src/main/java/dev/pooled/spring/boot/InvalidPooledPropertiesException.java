package dev.pooled.spring.boot;

import dev.pooled.ErrorCode;
import dev.pooled.PoolConfig;
import dev.pooled.PoolConfigException;
import dev.pooled.PooledJdbcException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Thrown at start-up when {@code pooled.*} properties (or the settings a {@link PooledDataSourceFactory} builder was
 * given) break the library's rules. Each violation names the Spring property, the value given and what is allowed;
 * {@link PooledFailureAnalyzer} turns it into Spring Boot's failure report. Never holds a password.
 *
 * @since 0.1.0
 */
public final class InvalidPooledPropertiesException extends IllegalStateException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    /** Library setting names inside a rule's text, longest first so that {@code max_lifetime_ms} wins over parts. */
    private static final Pattern KEY_IN_RULE = Pattern.compile("\\b(" + PoolConfig.KEYS.stream()
            .sorted(Comparator.comparingInt(String::length).reversed()).map(Pattern::quote)
            .collect(Collectors.joining("|")) + ")\\b");

    /**
     * One broken rule, in Spring's terms.
     *
     * @param property the Spring property, such as {@code pooled.max-connections}
     * @param value the value given, {@code null} when it was missing
     * @param rule what is allowed, naming other settings by their Spring property
     */
    public record Violation(String property, String value, String rule) {
        /** @return {@code pooled.max-connections=0: must be a whole number from 1 to 10000} */
        public String describe() {
            return property + "=" + (value == null ? "<missing>" : value) + ": " + rule;
        }
    }

    private final transient List<Violation> violations;

    /**
     * @param origin where the settings came from, for the message (such as {@code "data source 'dataSource'"})
     * @param violations every violation, at least one
     */
    public InvalidPooledPropertiesException(String origin, List<Violation> violations) {
        super("invalid pool settings for " + origin + ": "
                + violations.stream().map(Violation::describe).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    /**
     * Translates the library's violations, which name settings by their external names and times in milliseconds.
     *
     * @param origin see {@link #InvalidPooledPropertiesException(String, List)}
     * @param e the library's exception
     * @return the same violations named by Spring property
     */
    static InvalidPooledPropertiesException of(String origin, PoolConfigException e) {
        List<Violation> list = new ArrayList<>();
        for (PoolConfigException.Violation v : e.violations()) {
            String value = v.value();
            if (value != null && v.key().endsWith("_ms")) {
                value = value + "ms";
            }
            list.add(new Violation(PooledProperties.propertyName(v.key()), value, springNames(v.rule())));
        }
        return new InvalidPooledPropertiesException(origin, list);
    }

    private static String springNames(String rule) {
        Matcher m = KEY_IN_RULE.matcher(rule);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(PooledProperties.propertyName(m.group(1))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** @return every violation, in the order the settings are documented */
    public List<Violation> violations() {
        return violations;
    }

    /** @return {@link ErrorCode#INVALID_CONFIG}, as for the library's own configuration errors */
    @Override
    public ErrorCode errorCode() {
        return ErrorCode.INVALID_CONFIG;
    }
}
