package dev.pooled.jdbc.internal.tx;

import java.sql.SQLException;
import java.sql.Statement;

/** Whoever a logical result set reports to: the statement that produced it, or a metadata call. */
interface ResultOwner {
    /** @return the logical connection */
    LogicalConnection connection();

    /** @return what {@link java.sql.ResultSet#getStatement()} returns; {@code null} for metadata results */
    Statement statement();

    /**
     * The result set was read to its end or closed; its owner may let the binding go.
     *
     * @param rs the result set
     * @param closed whether it was closed (else read to its end)
     */
    void resultDone(LogicalResultSet rs, boolean closed) throws SQLException;
}
