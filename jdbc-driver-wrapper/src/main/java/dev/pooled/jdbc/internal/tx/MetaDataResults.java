package dev.pooled.jdbc.internal.tx;

import java.sql.Statement;

/** Owns one result set of a {@link java.sql.DatabaseMetaData} call: it keeps the binding until it is consumed. */
final class MetaDataResults implements ResultOwner {
    private final LogicalConnection conn;
    private final int gen;
    private boolean holding;

    MetaDataResults(LogicalConnection conn) {
        this.conn = conn;
        this.gen = conn.gen();
        this.holding = true;
        conn.holders++;
    }

    @Override
    public LogicalConnection connection() {
        return conn;
    }

    @Override
    public Statement statement() {
        return null;
    }

    @Override
    public void resultDone(LogicalResultSet rs, boolean closed) {
        if (holding) {
            holding = false;
            if (conn.isBound() && conn.gen() == gen) {
                conn.holders--;
                conn.maybeRelease();
            }
        }
    }
}
