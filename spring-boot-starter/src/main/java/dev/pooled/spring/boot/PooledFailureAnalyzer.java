package dev.pooled.spring.boot;

import dev.pooled.PoolStartException;
import dev.pooled.jdbc.InvalidPooledUrlException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Turns the start-up failures of a pooled data source into Spring Boot's failure report: bad {@code pooled.*}
 * properties (each named with its value and the allowed range), bad {@code pooled.*} parameters in
 * {@code spring.datasource.url}, no driver for the URL, and a database that does not answer. Registered in
 * {@code META-INF/spring.factories}. Its messages come from exceptions that never hold a password.
 *
 * @since 0.1.0
 */
public final class PooledFailureAnalyzer implements FailureAnalyzer {
    /** A setting as the library's messages name it: {@code pooled.max_connections=} or {@code pooled.etcd.timeout_ms=}. */
    private static final Pattern SETTING = Pattern.compile(
            "\\bpooled\\.([a-z][a-z0-9_.]*)=");

    /** Creates the analyzer; Spring Boot does. */
    public PooledFailureAnalyzer() {
    }

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        InvalidPooledPropertiesException props = find(failure, InvalidPooledPropertiesException.class);
        if (props != null) {
            StringBuilder d = new StringBuilder("Pooled JDBC rejected ")
                    .append(props.violations().size() == 1 ? "a property" : props.violations().size() + " properties")
                    .append(":\n");
            for (InvalidPooledPropertiesException.Violation v : props.violations()) {
                d.append("\n    Property: ").append(v.property())
                        .append("\n    Value: ").append(v.value() == null ? "<missing>" : v.value())
                        .append("\n    Allowed: ").append(v.rule()).append('\n');
            }
            return new FailureAnalysis(d.toString(), "Update your application's configuration: set "
                    + (props.violations().size() == 1 ? "this property" : "these properties")
                    + " to an allowed value (docs/spring-boot.md lists every pooled.* property).", props);
        }
        InvalidPooledUrlException url = find(failure, InvalidPooledUrlException.class);
        if (url != null) {
            // The library names settings as URL parameters (pooled.max_connections); say their Spring names too.
            Set<String> spring = new LinkedHashSet<>();
            Matcher m = SETTING.matcher(url.getMessage());
            while (m.find()) {
                spring.add(PooledProperties.propertyName(m.group(1)));
            }
            return new FailureAnalysis("Pooled JDBC could not build a pool: " + url.getMessage()
                    + (spring.isEmpty() ? "" : "\n\nAs Spring properties: " + String.join(", ", spring)),
                    "Check spring.datasource.url (pooled.* URL parameters use the library's names, such as"
                            + " pooled.max_connections) and that the database's JDBC driver is on the class path.",
                    url);
        }
        PoolStartException start = find(failure, PoolStartException.class);
        if (start != null) {
            return new FailureAnalysis("Pooled JDBC could not open the first connection of its pool: "
                    + start.getMessage() + " (SQLState " + start.getSQLState() + ")",
                    "Check that the database is running and that spring.datasource.url, spring.datasource.username"
                            + " and spring.datasource.password are right.", start);
        }
        return null;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
