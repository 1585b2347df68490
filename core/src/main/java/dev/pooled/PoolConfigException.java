package dev.pooled;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown by {@link PoolConfig.Builder#build()} with every violation found, not just the first. Each names the
 * external setting, the value given and the rule it broke.
 *
 * @since 0.1.0
 */
public final class PoolConfigException extends IllegalArgumentException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    /**
     * One broken rule.
     *
     * @param key the external setting name, such as {@code max_connections}
     * @param value the value as given, or {@code null} when it was missing
     * @param rule what is allowed
     */
    public record Violation(String key, String value, String rule) {
        /**
         * @param keyPrefix put before the key, such as {@code "pooled."} for URL parameters
         * @return {@code pooled.max_connections=0: must be an integer from 1 to 10000}
         */
        public String describe(String keyPrefix) {
            return keyPrefix + key + "=" + (value == null ? "<missing>" : value) + ": " + rule;
        }
    }

    private final transient List<Violation> violations;

    /** @param violations every violation, at least one */
    public PoolConfigException(List<Violation> violations) {
        super(describe(violations, ""));
        this.violations = List.copyOf(violations);
    }

    /** @return every violation, in the order the settings are documented */
    public List<Violation> violations() {
        return violations;
    }

    /**
     * @param keyPrefix put before each key
     * @return all violations on one line, separated by {@code "; "}
     */
    public String describe(String keyPrefix) {
        return describe(violations, keyPrefix);
    }

    private static String describe(List<Violation> violations, String keyPrefix) {
        return violations.stream().map(v -> v.describe(keyPrefix)).collect(Collectors.joining("; "));
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.INVALID_CONFIG;
    }
}
