package dev.pooled;

import dev.pooled.internal.SafeText;
import java.util.List;

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
         * @return {@code pooled.max_connections=0: must be an integer from 1 to 10000}; key and value are quoted
         *         bounded ({@value dev.pooled.internal.SafeText#MAX_VALUE_CHARS} characters, then {@code …}) with
         *         control characters escaped, so a hostile value can neither flood nor forge a log line
         */
        public String describe(String keyPrefix) {
            return keyPrefix + SafeText.value(key) + "=" + (value == null ? "<missing>" : SafeText.value(value)) + ": "
                    + rule;
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

    /** Messages stay short however hostile the input: the rest of a long list is counted, not shown. */
    private static final int MAX_DESCRIBED_CHARS = 1_200;

    private static String describe(List<Violation> violations, String keyPrefix) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < violations.size(); i++) {
            String d = violations.get(i).describe(keyPrefix);
            if (i > 0 && out.length() + d.length() > MAX_DESCRIBED_CHARS) {
                return out.append("; and ").append(violations.size() - i).append(" more").toString();
            }
            out.append(i == 0 ? "" : "; ").append(d);
        }
        return out.toString();
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.INVALID_CONFIG;
    }
}
