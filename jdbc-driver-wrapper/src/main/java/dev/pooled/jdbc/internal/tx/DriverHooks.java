package dev.pooled.jdbc.internal.tx;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What transaction mode needs from a driver beyond JDBC: whether the server session is inside a transaction (read
 * from the driver's own protocol state, no round trip) and how to reset a session in full. Found by name through
 * the driver's class loader, so the drivers stay optional at compile time; a driver without them gets
 * {@link #NONE}: no probe (the SQL text decides) and no reset (the connection is closed instead).
 */
abstract class DriverHooks {
    static final int UNKNOWN = -1;
    static final int IDLE = 0;
    static final int IN_TRANSACTION = 1;

    /** No probe, no reset. */
    static final DriverHooks NONE = new DriverHooks() {
        @Override
        int transactionState(Connection physical) {
            return UNKNOWN;
        }

        @Override
        boolean canReset(Connection physical) {
            return false;
        }

        @Override
        void reset(Connection physical, String catalog) throws SQLException {
            throw new SQLException("no reset for this driver");
        }
    };

    /**
     * Learns, from the pool's first physical connection (before anyone used it), what a reset must restore.
     *
     * @param physical a fresh physical connection
     */
    void learn(Connection physical) throws SQLException {
    }

    /**
     * @param physical a bound physical connection
     * @return {@link #IN_TRANSACTION}, {@link #IDLE}, or {@link #UNKNOWN} when the driver cannot tell
     */
    abstract int transactionState(Connection physical);

    /**
     * @param physical the connection to reset
     * @return whether {@link #reset} can clear every kind of session state of it, leaving the driver consistent
     */
    abstract boolean canReset(Connection physical);

    /**
     * Clears all session state. The connection is in auto-commit mode and outside any transaction.
     *
     * @param physical the connection
     * @param catalog the pool's default catalog, to return to after a reset that keeps the current one
     * @throws SQLException when the reset failed; the caller then closes the connection
     */
    abstract void reset(Connection physical, String catalog) throws SQLException;

    /** {@link #commitAndReset}: nothing was sent; commit, then reset separately. */
    static final int NOT_DONE = 0;
    /** {@link #commitAndReset}: committed, and the session is clean. */
    static final int CLEAN = 1;
    /** {@link #commitAndReset}: committed, but the session holds state the reset cannot clear: close it. */
    static final int EVICT = 2;

    /**
     * Commits the transaction of {@code physical} and, in the same network round trip where the driver can, resets
     * the session as {@link #resetAfterTransaction} does ({@code pooled.reset=always}). The connection is in a
     * transaction with auto-commit off.
     *
     * @param physical the connection
     * @return {@link #NOT_DONE}, {@link #CLEAN} or {@link #EVICT}
     * @throws SQLException as {@link Connection#commit()}, or SQLState {@code 25P02} when the transaction had
     *         already failed (nothing was sent; commit as usual, then reset in full)
     */
    int commitAndReset(Connection physical) throws SQLException {
        return NOT_DONE;
    }

    /**
     * Resets the session after a transaction for {@code pooled.reset=always}: what a statement, a function or a
     * trigger may have left behind, out of the classifier's sight. The connection is in auto-commit mode and
     * outside any transaction.
     *
     * @param physical the connection
     * @param catalog the pool's default catalog
     * @throws SQLException when the reset failed or found state it cannot clear; the caller then closes the
     *         connection
     */
    void resetAfterTransaction(Connection physical, String catalog) throws SQLException {
        reset(physical, catalog);
    }

    static DriverHooks of(Dialect dialect, ClassLoader loader) {
        try {
            if (dialect == Dialect.POSTGRESQL) {
                return new Postgres(loader);
            }
            if (dialect == Dialect.MYSQL) {
                return mysql(loader);
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            return NONE;
        }
        return NONE;
    }

    private static DriverHooks mysql(ClassLoader loader) throws ReflectiveOperationException {
        try {
            return new ConnectorJ(loader);
        } catch (ClassNotFoundException e) {
            return new MariaDbConnector(loader);
        }
    }

    static Object invoke(Method m, Object target) throws SQLException {
        try {
            return m.invoke(target);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException) {
                throw (SQLException) cause;
            }
            throw new SQLException("driver call " + m.getName() + " failed", cause);
        } catch (IllegalAccessException e) {
            throw new SQLException("driver call " + m.getName() + " is not accessible", e);
        }
    }

    /**
     * pgjdbc: {@code BaseConnection#getTransactionState()} mirrors the server's ReadyForQuery status. The reset is
     * {@code DISCARD ALL}; pgjdbc sees its command tag and invalidates its own server-prepared statements
     * ({@code deallocateEpoch}), so they are prepared again rather than used after the server dropped them.
     *
     * <p>{@code DISCARD ALL} returns every setting to its value at session start, but pgjdbc sets some with
     * {@code SET} just after start-up ({@code application_name}, {@code extra_float_digits}, unless
     * {@code assumeMinServerVersion} lets it send them in the start-up packet), and {@code RESET} forgets those. So the
     * settings a fresh connection has from its session (source {@code session} in {@code pg_settings}) are learned
     * once and set again after each reset.
     */
    static final class Postgres extends DriverHooks {
        private final Class<?> baseConnection;
        private final Method getTransactionState;
        /** {@code SELECT set_config(...)} for the session-set settings of a fresh connection, or null if none. */
        private volatile String restore;

        Postgres(ClassLoader loader) throws ReflectiveOperationException {
            baseConnection = Class.forName("org.postgresql.core.BaseConnection", false, loader);
            getTransactionState = baseConnection.getMethod("getTransactionState");
        }

        @Override
        int transactionState(Connection physical) {
            try {
                Object state = invoke(getTransactionState, physical.unwrap(baseConnection));
                return "IDLE".equals(((Enum<?>) state).name()) ? IDLE : IN_TRANSACTION;
            } catch (SQLException | RuntimeException e) {
                return UNKNOWN;
            }
        }

        @Override
        boolean canReset(Connection physical) {
            return true;
        }

        @Override
        void learn(Connection physical) throws SQLException {
            StringBuilder sql = new StringBuilder();
            try (Statement s = physical.createStatement();
                    java.sql.ResultSet rs = s.executeQuery(
                            "select name, setting from pg_catalog.pg_settings where source = 'session'")) {
                while (rs.next()) {
                    sql.append(sql.length() == 0 ? "select " : ", ").append("pg_catalog.set_config(")
                            .append(literal(rs.getString(1))).append(", ").append(literal(rs.getString(2)))
                            .append(", false)");
                }
            }
            restore = sql.length() == 0 ? null : sql.toString();
            String user;
            try (Statement s = physical.createStatement();
                    java.sql.ResultSet rs = s.executeQuery("select session_user")) {
                rs.next();
                user = rs.getString(1);
            }
            // The same settings, put back by the light reset's SELECT, after the unlock.
            String select = "SELECT pg_catalog.pg_advisory_unlock_all()"
                    + (restore == null ? "" : ", " + restore.substring("select ".length())) + ", " + check(user);
            lightReset = "RESET ALL; " + select;
            lightResetCommit = "RESET ALL; COMMIT; " + select;
        }

        /** A standard-conforming string literal: only the quote is special. */
        private static String literal(String s) {
            return "'" + s.replace("'", "''") + "'";
        }

        /**
         * The check of the light reset: true when the session holds nothing {@code RESET ALL} and
         * {@code pg_advisory_unlock_all()} leave behind — no other role or session user (not reset by
         * {@code RESET ALL}), no temporary schema (a temporary table was ever made: close rather than
         * {@code DISCARD TEMP} each time), no channel listened to. Cheap: no catalog scan.
         */
        private static String check(String user) {
            return "session_user = " + literal(user) + " AND current_user = " + literal(user)
                    + " AND pg_catalog.pg_my_temp_schema() = 0"
                    + " AND NOT EXISTS (SELECT FROM pg_catalog.pg_listening_channels())";
        }

        private volatile String lightReset;
        private volatile String lightResetCommit;

        /**
         * {@code RESET ALL; COMMIT; SELECT pg_advisory_unlock_all(), <settings pgjdbc set at start>, <check>} as one
         * multi-statement string: pgjdbc sends it in one round trip with the commit, and as a
         * {@link java.sql.PreparedStatement} it becomes named server-side statements after pgjdbc's
         * {@code prepareThreshold}, so the server neither parses nor plans it again. Three statements, not the ten
         * of {@code DISCARD ALL}: each costs server and client CPU on every transaction. What the three cannot clear
         * (another role, a temporary schema, a listened channel) makes the check false, and the connection is closed
         * instead of returned. {@code RESET ALL} runs inside the transaction and commits with it; if the commit
         * fails nothing after it runs and the caller resets in full; a transaction that had already failed rejects
         * the first statement with 25P02.
         */
        @Override
        int commitAndReset(Connection physical) throws SQLException {
            String sql = lightResetCommit;
            if (sql == null) {
                return NOT_DONE;
            }
            try (java.sql.PreparedStatement s = physical.prepareStatement(sql)) {
                return lastBoolean(s) ? CLEAN : EVICT;
            }
        }

        @Override
        void resetAfterTransaction(Connection physical, String catalog) throws SQLException {
            String sql = lightReset;
            if (sql == null) {
                reset(physical, catalog);
                return;
            }
            try (java.sql.PreparedStatement s = physical.prepareStatement(sql)) {
                if (!lastBoolean(s)) {
                    throw new SQLException("the session holds state a light reset cannot clear; closing it");
                }
            }
        }

        /** @return the last column of the last result set of a multi-statement execution */
        private static boolean lastBoolean(java.sql.PreparedStatement s) throws SQLException {
            boolean value = false;
            boolean isResult = s.execute();
            while (true) {
                if (isResult) {
                    try (java.sql.ResultSet rs = s.getResultSet()) {
                        value = rs.next() && rs.getBoolean(rs.getMetaData().getColumnCount());
                    }
                } else if (s.getUpdateCount() == -1) {
                    return value;
                }
                isResult = s.getMoreResults();
            }
        }

        @Override
        void reset(Connection physical, String catalog) throws SQLException {
            try (Statement s = physical.createStatement()) {
                s.execute("DISCARD ALL");
                String r = restore;
                if (r != null) {
                    s.execute(r); // separately: DISCARD ALL refuses to run inside a multi-statement batch
                }
            }
        }
    }

    /**
     * MySQL Connector/J: {@code getSession().getServerSession().inTransactionOnServer()} reads the server status
     * flags of the last reply. The reset is {@code JdbcConnection#resetServerState()}, which sends
     * {@code COM_RESET_CONNECTION} (user variables, session variables, temporary tables, prepared statements, locks
     * and an open transaction all go) and then puts back the session settings Connector/J itself manages. The
     * current database survives it, so it is set back too.
     *
     * <p>Two configurations make the reset unusable, and a connection that needs one is closed instead:
     * {@code paranoid=true} (Connector/J then skips the reset) and server-side prepared statements with a statement
     * cache ({@code useServerPrepStmts=true&cachePrepStmts=true}): Connector/J keeps its cached statement handles,
     * which the reset deallocated on the server ("Unknown prepared statement handler").
     */
    static final class ConnectorJ extends DriverHooks {
        private final Class<?> jdbcConnection;
        private final Method getSession;
        private final Method getServerSession;
        private final Method inTransactionOnServer;
        private final Method resetServerState;
        private final Method getPropertySet;
        private final Method getBooleanProperty;
        private final Method getValue;
        /** Whether the pool's connections can be reset: the same for all of them (same properties). */
        private volatile Boolean resettable;

        ConnectorJ(ClassLoader loader) throws ReflectiveOperationException {
            jdbcConnection = Class.forName("com.mysql.cj.jdbc.JdbcConnection", false, loader);
            getSession = jdbcConnection.getMethod("getSession");
            getServerSession = Class.forName("com.mysql.cj.Session", false, loader).getMethod("getServerSession");
            inTransactionOnServer = Class.forName("com.mysql.cj.protocol.ServerSession", false, loader)
                    .getMethod("inTransactionOnServer");
            resetServerState = jdbcConnection.getMethod("resetServerState");
            getPropertySet = jdbcConnection.getMethod("getPropertySet");
            getBooleanProperty = Class.forName("com.mysql.cj.conf.PropertySet", false, loader)
                    .getMethod("getBooleanProperty", String.class);
            getValue = Class.forName("com.mysql.cj.conf.RuntimeProperty", false, loader).getMethod("getValue");
        }

        private boolean flag(Object propertySet, String name) throws ReflectiveOperationException {
            return Boolean.TRUE.equals(getValue.invoke(getBooleanProperty.invoke(propertySet, name)));
        }

        @Override
        int transactionState(Connection physical) {
            try {
                Object session = invoke(getServerSession, invoke(getSession, physical.unwrap(jdbcConnection)));
                return Boolean.TRUE.equals(invoke(inTransactionOnServer, session)) ? IN_TRANSACTION : IDLE;
            } catch (SQLException | RuntimeException e) {
                return UNKNOWN;
            }
        }

        @Override
        boolean canReset(Connection physical) {
            Boolean r = resettable;
            if (r == null) {
                try {
                    Object props = getPropertySet.invoke(physical.unwrap(jdbcConnection));
                    boolean cachedServerStatements = flag(props, "useServerPrepStmts") && flag(props, "cachePrepStmts");
                    r = !flag(props, "paranoid") && !cachedServerStatements;
                } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
                    r = false;
                }
                resettable = r;
            }
            return r;
        }

        @Override
        void reset(Connection physical, String catalog) throws SQLException {
            invoke(resetServerState, physical.unwrap(jdbcConnection));
            if (catalog != null) {
                physical.setCatalog(catalog);
            }
        }
    }

    /** MariaDB Connector/J 3: {@code org.mariadb.jdbc.Connection#reset()} sends {@code COM_RESET_CONNECTION}. */
    static final class MariaDbConnector extends DriverHooks {
        private final Class<?> connection;
        private final Method reset;

        MariaDbConnector(ClassLoader loader) throws ReflectiveOperationException {
            connection = Class.forName("org.mariadb.jdbc.Connection", false, loader);
            reset = connection.getMethod("reset");
        }

        @Override
        int transactionState(Connection physical) {
            return UNKNOWN;
        }

        @Override
        boolean canReset(Connection physical) {
            return true;
        }

        @Override
        void reset(Connection physical, String catalog) throws SQLException {
            invoke(reset, physical.unwrap(connection));
            if (catalog != null) {
                physical.setCatalog(catalog);
            }
        }
    }
}
