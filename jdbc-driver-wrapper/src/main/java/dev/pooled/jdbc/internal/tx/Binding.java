package dev.pooled.jdbc.internal.tx;

import dev.pooled.jdbc.BindFailedException;
import java.sql.SQLTransientConnectionException;

/**
 * What a statement on a live logical connection throws when the pool gives it no physical connection. The pool's
 * refusals ({@code 08001}/{@code 08004}, {@link SQLTransientConnectionException}) are right for
 * {@code getConnection()}, where nothing was handed out; on a connection the application already holds they would
 * say "this connection is dead" to HikariCP, Spring and harnesses, which then evict it. A closed pool
 * ({@code 08003}, non-transient) is not translated: that logical connection really cannot work again.
 */
final class Binding {
    private Binding() {
    }

    static BindFailedException failed(String pool, SQLTransientConnectionException e) {
        return new BindFailedException("pool " + pool + " (mode=transaction) could not bind a physical connection"
                + " for this statement; nothing ran, the connection is still usable and the transaction can be"
                + " retried: " + e.getMessage(), e);
    }
}
