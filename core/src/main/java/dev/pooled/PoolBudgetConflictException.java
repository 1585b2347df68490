package dev.pooled;

import java.sql.SQLNonTransientConnectionException;

/**
 * Thrown when a pool starts with a {@code budget} that already runs in this process with another
 * {@code budget_max}: pools sharing a budget must agree on its size. SQLState {@code HY024}, vendor code 1014.
 * Retrying with the same settings cannot succeed.
 *
 * @since 0.1.0
 */
public final class PoolBudgetConflictException extends SQLNonTransientConnectionException
        implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    /** @param message the description, naming the budget and both sizes */
    public PoolBudgetConflictException(String message) {
        super(message, ErrorCode.BUDGET_CONFLICT.sqlState(), ErrorCode.BUDGET_CONFLICT.vendorCode());
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.BUDGET_CONFLICT;
    }
}
