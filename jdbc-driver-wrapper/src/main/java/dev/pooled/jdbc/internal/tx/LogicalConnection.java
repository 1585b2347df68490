package dev.pooled.jdbc.internal.tx;

import dev.pooled.jdbc.PinReason;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * The {@link Connection} a transaction-mode caller holds. It owns no physical connection between transactions:
 * one is borrowed from the pool (through its gate, queue, timeout and priority) when a statement first needs it,
 * and given back when the transaction ends ({@code commit}/{@code rollback}), or, in auto-commit mode, when the
 * statement's results are consumed. Session state that outlives a transaction pins the physical connection until
 * this one closes. The JDBC state set here (auto-commit, isolation, read-only, catalog, schema, holdability, client
 * info, network timeout, type map) is applied to each physical connection it binds and undone before that one goes
 * back.
 *
 * <p>Like a driver's connection, it is used by one thread at a time; {@link #close()} and {@link #abort} may come from
 * another thread once that use has ended. {@link Statement#cancel()} works from any thread.
 */
final class LogicalConnection implements Connection {
    static final int UNSET = Integer.MIN_VALUE;

    final TxContext ctx;
    private final int priority;

    // The binding.
    private Connection phys;
    /** Incremented at every binding: statements compare it to know whether their physical statement is current. */
    private int gen;
    /** Statements and result sets whose results are not consumed yet: they keep the binding. */
    int holders;
    /** Auto-commit off and a statement ran since the last commit or rollback. */
    private boolean txActive;
    /** BEGIN seen in SQL in auto-commit mode (used when the driver cannot tell). */
    private boolean sqlTx;
    /** A statement may have changed session state out of sight: reset in full when the binding ends. */
    private boolean dirty;
    /** The commit that ended the last transaction also reset the session ({@code pooled.reset=always}). */
    private boolean resetDone;
    private PinReason pin;
    /**
     * The physical connection is closed rather than reset when the binding ends: after LISTEN (the driver may hold
     * queued notifications) and after unwrap (the caller may keep the driver's object).
     */
    private boolean evictOnRelease;
    private volatile boolean closed;
    private boolean closing;
    private final ArrayList<LogicalStatement> statements = new ArrayList<>();
    private DatabaseMetaData metaData;

    // JDBC state set on this connection; UNSET / null = the pool's default.
    private boolean autoCommit = true;
    private int isolation = UNSET;
    private int readOnly = UNSET;
    private boolean catalogSet;
    private String catalog;
    private boolean schemaSet;
    private String schema;
    private int holdability = UNSET;
    private Properties clientInfo;
    private int networkTimeout = UNSET;
    private Executor networkExecutor;
    private Map<String, Class<?>> typeMap;

    // What this binding changed on the physical connection that HikariCP does not restore.
    private Properties savedClientInfo;
    private int savedHoldability = UNSET;
    private Map<String, Class<?>> savedTypeMap;

    LogicalConnection(TxContext ctx, int priority) {
        this.ctx = ctx;
        this.priority = priority;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Binding

    int gen() {
        return gen;
    }

    boolean isBound() {
        return phys != null;
    }

    /** @return the bound physical connection, borrowing one first if none is bound */
    Connection bind() throws SQLException {
        Connection p = phys;
        if (p != null) {
            return p;
        }
        checkOpen();
        p = ctx.pool.getConnection(priority);
        try {
            apply(p, ctx.defaults(p));
        } catch (SQLException | RuntimeException e) {
            handBack(p, true, false, false, false);
            throw e;
        }
        phys = p;
        gen++;
        ctx.stats.bindings.increment();
        return p;
    }

    private void apply(Connection p, TxContext.Defaults d) throws SQLException {
        if (readOnly != UNSET && (readOnly == 1) != d.readOnly) {
            p.setReadOnly(readOnly == 1);
        }
        if (isolation != UNSET && isolation != d.isolation) {
            p.setTransactionIsolation(isolation);
        }
        if (catalogSet && !Objects.equals(catalog, d.catalog)) {
            p.setCatalog(catalog);
        }
        if (schemaSet && !Objects.equals(schema, d.schema)) {
            p.setSchema(schema);
        }
        if (holdability != UNSET && holdability != d.holdability) {
            savedHoldability = d.holdability;
            p.setHoldability(holdability);
        }
        if (clientInfo != null) {
            savedClientInfo = TxContext.Defaults.copy(p.getClientInfo());
            p.setClientInfo(clientInfo);
        }
        if (typeMap != null) {
            savedTypeMap = p.getTypeMap();
            p.setTypeMap(typeMap);
        }
        if (networkTimeout != UNSET) {
            p.setNetworkTimeout(networkExecutor, networkTimeout);
        }
        if (!autoCommit) {
            p.setAutoCommit(false);
        }
    }

    /** Refuses a pinning statement under {@code pin_policy=reject}; call before anything is sent. */
    void admit(int classification) throws SQLException {
        PinReason r = StatementClassifier.pinReason(classification);
        if (r != null && pin == null && ctx.rejectPins) {
            throw ctx.rejected(r);
        }
    }

    /** Records what a statement about to run on the bound connection does to it. */
    void executing(int classification) {
        PinReason r = StatementClassifier.pinReason(classification);
        if (r != null) {
            pinFor(r);
            evictOnRelease |= r == PinReason.LISTEN;
        }
        if ((classification & StatementClassifier.DIRTY) != 0) {
            dirty = true;
        }
        if (autoCommit) {
            if ((classification & StatementClassifier.TX_BEGIN) != 0) {
                sqlTx = true;
            } else if ((classification & StatementClassifier.TX_END) != 0) {
                sqlTx = false;
            }
        } else {
            txActive = true;
        }
    }

    private void pinFor(PinReason r) {
        if (pin == null) {
            pin = r;
            ctx.stats.pins[r.ordinal()].increment();
            ctx.stats.pinnedNow.increment();
        }
    }

    /** Pins for a caller that takes a driver object out of its wrapper, after the policy allows it. */
    Connection bindForUnwrap() throws SQLException {
        if (pin == null && ctx.rejectPins) {
            throw ctx.rejected(PinReason.UNWRAP);
        }
        Connection p = bind();
        pinFor(PinReason.UNWRAP);
        evictOnRelease = true;
        return p;
    }

    /** Gives the physical connection back if nothing needs it any more. */
    void maybeRelease() {
        Connection p = phys;
        if (p == null || closing || pin != null || holders > 0) {
            return;
        }
        if (autoCommit ? inSqlTransaction(p) : txActive) {
            return;
        }
        release();
    }

    private boolean inSqlTransaction(Connection p) {
        int state = ctx.hooks().transactionState(p);
        return state == DriverHooks.UNKNOWN ? sqlTx : state == DriverHooks.IN_TRANSACTION;
    }

    private void release() {
        Connection p = phys;
        phys = null;
        boolean rollback = txActive || sqlTx;
        boolean full = dirty || pin != null;
        boolean light = !full && ctx.resetAlways && !resetDone;
        resetDone = false;
        boolean evict = evictOnRelease;
        evictOnRelease = false;
        holders = 0;
        txActive = false;
        sqlTx = false;
        dirty = false;
        handBack(p, full, light, evict, rollback);
    }

    /**
     * Returns a physical connection to the pool clean: out of any transaction, with the state this logical
     * connection changed undone (HikariCP restores auto-commit, isolation, read-only, catalog, schema and network
     * timeout itself), reset in full when {@code full}; closed instead when {@code evict} or when any of it fails.
     */
    private void handBack(Connection p, boolean full, boolean light, boolean evict, boolean rollback) {
        try {
            if (evict || (full || light) && !ctx.hooks().canReset(p)) {
                closePhysicalStatements();
                ctx.evict(p);
                return;
            }
            boolean ac = p.getAutoCommit();
            int state = ctx.hooks().transactionState(p);
            if (state == DriverHooks.IN_TRANSACTION || state == DriverHooks.UNKNOWN && rollback) {
                if (ac) {
                    try (Statement s = p.createStatement()) {
                        s.execute("ROLLBACK");
                    }
                } else {
                    p.rollback();
                }
                if (state == DriverHooks.IN_TRANSACTION && !rollback) {
                    // a transaction we did not know of (BEGIN inside a function, a driver quirk): reset in full
                    ctx.stats.rolledBack.increment();
                    full = true;
                }
            }
            if (savedClientInfo != null) {
                p.setClientInfo(savedClientInfo);
            }
            if (savedHoldability != UNSET) {
                p.setHoldability(savedHoldability);
            }
            if (savedTypeMap != null) {
                p.setTypeMap(savedTypeMap);
            }
            if (full) {
                if (!ac) {
                    p.setAutoCommit(true);
                }
                ctx.hooks().reset(p, ctx.knownDefaults() == null ? null : ctx.knownDefaults().catalog);
                ctx.stats.fullResets.increment();
            } else if (light) {
                if (!ac) {
                    p.setAutoCommit(true);
                }
                ctx.hooks().resetAfterTransaction(p, ctx.knownDefaults() == null ? null
                        : ctx.knownDefaults().catalog);
            }
            p.close();
        } catch (SQLException | RuntimeException e) {
            closePhysicalStatements();
            ctx.evict(p);
        } finally {
            savedClientInfo = null;
            savedHoldability = UNSET;
            savedTypeMap = null;
        }
    }

    /**
     * Closes the physical statements of the current binding before an eviction: HikariCP would close them on
     * return, and an error there evicts the entry without returning it through its normal path.
     */
    private void closePhysicalStatements() {
        for (int i = statements.size() - 1; i >= 0; i--) {
            statements.get(i).closePhysical();
        }
    }

    void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLNonTransientConnectionException("the connection is closed", "08003");
        }
    }

    void register(LogicalStatement s) {
        statements.add(s);
    }

    void forget(LogicalStatement s) {
        for (int i = statements.size() - 1; i >= 0; i--) {
            if (statements.get(i) == s) {
                statements.remove(i);
                return;
            }
        }
    }

    /** Wraps a result set from a {@link DatabaseMetaData} call: it keeps the binding until consumed. */
    ResultSet metaResult(ResultSet rs) {
        return new LogicalResultSet(new MetaDataResults(this), rs, true);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Statements

    @Override
    public Statement createStatement() throws SQLException {
        return createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY, UNSET);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        return createStatement(resultSetType, resultSetConcurrency, UNSET);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        checkOpen();
        LogicalStatement s = new LogicalStatement(this, resultSetType, resultSetConcurrency, resultSetHoldability);
        register(s);
        return s;
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return prepare(sql, LogicalPreparedStatement.PLAIN, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY,
                UNSET, Statement.NO_GENERATED_KEYS, null, null);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        return prepare(sql, LogicalPreparedStatement.TYPED, resultSetType, resultSetConcurrency, UNSET,
                Statement.NO_GENERATED_KEYS, null, null);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
            int resultSetHoldability) throws SQLException {
        return prepare(sql, LogicalPreparedStatement.TYPED, resultSetType, resultSetConcurrency, resultSetHoldability,
                Statement.NO_GENERATED_KEYS, null, null);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        return prepare(sql, LogicalPreparedStatement.KEYS, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY,
                UNSET, autoGeneratedKeys, null, null);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return prepare(sql, LogicalPreparedStatement.KEY_INDEXES, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY, UNSET, Statement.RETURN_GENERATED_KEYS, columnIndexes.clone(), null);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return prepare(sql, LogicalPreparedStatement.KEY_NAMES, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY, UNSET, Statement.RETURN_GENERATED_KEYS, null, columnNames.clone());
    }

    private PreparedStatement prepare(String sql, int kind, int type, int concurrency, int hold, int keys,
            int[] keyIndexes, String[] keyNames) throws SQLException {
        checkOpen();
        if (sql == null) {
            throw new SQLException("sql is null", "HY009");
        }
        LogicalPreparedStatement s = new LogicalPreparedStatement(this, sql, ctx.classify(sql), kind, type,
                concurrency, hold, keys, keyIndexes, keyNames);
        register(s);
        return s;
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return prepareCall(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY, UNSET);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        return prepareCall(sql, resultSetType, resultSetConcurrency, UNSET);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
            int resultSetHoldability) throws SQLException {
        checkOpen();
        if (sql == null) {
            throw new SQLException("sql is null", "HY009");
        }
        LogicalCallableStatement s = new LogicalCallableStatement(this, sql, ctx.classify(sql), resultSetType,
                resultSetConcurrency, resultSetHoldability);
        register(s);
        return s;
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        try {
            return bind().nativeSQL(sql);
        } finally {
            maybeRelease();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Transactions

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        checkOpen();
        if (autoCommit == this.autoCommit) {
            return;
        }
        Connection p = phys;
        if (p != null) {
            p.setAutoCommit(autoCommit); // turning it on commits, as JDBC says
        }
        this.autoCommit = autoCommit;
        if (autoCommit) {
            txActive = false;
            maybeRelease();
        }
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        checkOpen();
        return autoCommit;
    }

    @Override
    public void commit() throws SQLException {
        checkOpen();
        if (autoCommit) {
            throw new SQLException("commit() with auto-commit on", "25000");
        }
        Connection p = phys;
        if (p != null) {
            try {
                if (ctx.resetAlways && pin == null && holders == 0 && !closing) {
                    commitAndReset(p);
                } else {
                    p.commit();
                }
            } catch (SQLException e) {
                dropIfBroken(p);
                throw e;
            }
            txActive = false;
            sqlTx = false;
            maybeRelease();
        }
    }

    /** The commit of {@code pooled.reset=always}: the reset travels with the COMMIT where the driver allows it. */
    private void commitAndReset(Connection p) throws SQLException {
        int done;
        try {
            done = ctx.hooks().commitAndReset(p);
        } catch (SQLException e) {
            // Neither the reset nor the commit took effect: reset in full when the binding ends.
            dirty = true;
            if (!"25P02".equals(e.getSQLState())) {
                throw e;
            }
            p.commit(); // the transaction had failed before: the driver's own commit reports it as it always does
            return;
        }
        if (done == DriverHooks.NOT_DONE) {
            p.commit();
        } else {
            resetDone = true;
            // state the light reset cannot clear: the connection is closed rather than handed to anyone else
            evictOnRelease |= done == DriverHooks.EVICT;
        }
    }

    @Override
    public void rollback() throws SQLException {
        checkOpen();
        if (autoCommit) {
            throw new SQLException("rollback() with auto-commit on", "25000");
        }
        Connection p = phys;
        if (p != null) {
            try {
                p.rollback();
            } catch (SQLException e) {
                dropIfBroken(p);
                throw e;
            }
            txActive = false;
            sqlTx = false;
            maybeRelease();
        }
    }

    /**
     * After a failed commit or rollback: if the physical connection died (HikariCP then has retired it), forget the
     * binding, so that the logical connection's next transaction binds a live one. Its transaction is lost either way.
     */
    private void dropIfBroken(Connection p) {
        boolean broken;
        try {
            broken = p.isClosed();
        } catch (SQLException | RuntimeException e) {
            broken = true;
        }
        if (broken && phys == p) {
            phys = null;
            holders = 0;
            txActive = false;
            sqlTx = false;
            dirty = false;
            try {
                p.close();
            } catch (SQLException | RuntimeException e) {
                // already retired; closing gives the gate's permit back
            }
            if (pin != null) {
                // its session state is gone with it: the logical connection is no longer pinned
                pin = null;
                evictOnRelease = false;
                ctx.stats.pinnedNow.decrement();
            }
        }
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        return savepoint(null, false);
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        return savepoint(name, true);
    }

    private Savepoint savepoint(String name, boolean named) throws SQLException {
        checkOpen();
        if (autoCommit) {
            throw new SQLException("a savepoint needs auto-commit off", "25000");
        }
        Connection p = bind();
        txActive = true;
        return new LogicalSavepoint(gen, named ? p.setSavepoint(name) : p.setSavepoint());
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        checkOpen();
        p(savepoint).rollback(physical(savepoint));
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        checkOpen();
        p(savepoint).releaseSavepoint(physical(savepoint));
    }

    private Connection p(Savepoint savepoint) throws SQLException {
        Connection p = phys;
        if (p == null || !(savepoint instanceof LogicalSavepoint) || ((LogicalSavepoint) savepoint).gen != gen) {
            throw new SQLException("the savepoint does not belong to the current transaction", "3B001");
        }
        return p;
    }

    private static Savepoint physical(Savepoint savepoint) {
        return ((LogicalSavepoint) savepoint).physical;
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            p.setTransactionIsolation(level);
        }
        isolation = level;
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            return p.getTransactionIsolation();
        }
        return isolation != UNSET ? isolation : defaults().isolation;
    }

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            p.setReadOnly(readOnly);
        }
        this.readOnly = readOnly ? 1 : 0;
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            return p.isReadOnly();
        }
        return readOnly != UNSET ? readOnly == 1 : defaults().readOnly;
    }

    /** @return the pool's defaults, borrowing a connection once to learn them if no binding has happened yet */
    private TxContext.Defaults defaults() throws SQLException {
        TxContext.Defaults d = ctx.knownDefaults();
        if (d != null) {
            return d;
        }
        try {
            return ctx.defaults(bind());
        } finally {
            maybeRelease();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Session attributes

    @Override
    public void setCatalog(String catalog) throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            p.setCatalog(catalog);
        }
        this.catalog = catalog;
        catalogSet = true;
    }

    @Override
    public String getCatalog() throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            return p.getCatalog();
        }
        return catalogSet ? catalog : defaults().catalog;
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            p.setSchema(schema);
        }
        this.schema = schema;
        schemaSet = true;
    }

    @Override
    public String getSchema() throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            return p.getSchema();
        }
        return schemaSet ? schema : defaults().schema;
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        checkOpen();
        if (holdability != ResultSet.HOLD_CURSORS_OVER_COMMIT && holdability != ResultSet.CLOSE_CURSORS_AT_COMMIT) {
            throw new SQLException("unknown holdability " + holdability, "HY092");
        }
        Connection p = phys;
        if (p != null) {
            if (savedHoldability == UNSET) {
                savedHoldability = p.getHoldability();
            }
            p.setHoldability(holdability);
        }
        this.holdability = holdability;
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            return p.getHoldability();
        }
        return holdability != UNSET ? holdability : defaults().holdability;
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        if (closed) {
            throw new SQLClientInfoException("the connection is closed", "08003", 0, Map.of());
        }
        Properties next = clientInfo == null ? new Properties() : clientInfo;
        if (value == null) {
            next.remove(name);
        } else {
            next.setProperty(name, value);
        }
        Connection p = phys;
        if (p != null) {
            saveClientInfo(p);
            p.setClientInfo(name, value);
        }
        clientInfo = next;
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        if (closed) {
            throw new SQLClientInfoException("the connection is closed", "08003", 0, Map.of());
        }
        Properties next = TxContext.Defaults.copy(properties);
        Connection p = phys;
        if (p != null) {
            saveClientInfo(p);
            p.setClientInfo(properties);
        }
        clientInfo = next;
    }

    private void saveClientInfo(Connection p) throws SQLClientInfoException {
        if (savedClientInfo == null) {
            try {
                savedClientInfo = TxContext.Defaults.copy(p.getClientInfo());
            } catch (SQLException e) {
                throw new SQLClientInfoException("could not read the client info to restore later", "HY000", 0,
                        Map.of(), e);
            }
        }
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            return p.getClientInfo(name);
        }
        if (clientInfo != null && clientInfo.getProperty(name) != null) {
            return clientInfo.getProperty(name);
        }
        return defaults().clientInfo.getProperty(name);
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            return p.getClientInfo();
        }
        Properties out = TxContext.Defaults.copy(defaults().clientInfo);
        if (clientInfo != null) {
            out.putAll(clientInfo);
        }
        return out;
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        checkOpen();
        if (milliseconds < 0) {
            throw new SQLException("network timeout must not be negative", "HY024");
        }
        Connection p = phys;
        if (p != null) {
            p.setNetworkTimeout(executor, milliseconds);
        }
        networkTimeout = milliseconds;
        networkExecutor = executor;
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            return p.getNetworkTimeout();
        }
        return networkTimeout != UNSET ? networkTimeout : defaults().networkTimeout;
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            return p.getTypeMap();
        }
        return typeMap != null ? new HashMap<>(typeMap) : new HashMap<>();
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            if (savedTypeMap == null) {
                savedTypeMap = p.getTypeMap();
            }
            p.setTypeMap(map);
        }
        typeMap = map == null ? null : new HashMap<>(map);
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        Connection p = phys;
        return p == null ? null : p.getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        Connection p = phys;
        if (p != null) {
            p.clearWarnings();
        }
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        checkOpen();
        if (metaData == null) {
            metaData = new LogicalDatabaseMetaData(this);
        }
        return metaData;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Driver objects: made by the bound physical connection; use them within its transaction.

    @Override
    public Clob createClob() throws SQLException {
        try {
            return bind().createClob();
        } finally {
            maybeRelease();
        }
    }

    @Override
    public Blob createBlob() throws SQLException {
        try {
            return bind().createBlob();
        } finally {
            maybeRelease();
        }
    }

    @Override
    public NClob createNClob() throws SQLException {
        try {
            return bind().createNClob();
        } finally {
            maybeRelease();
        }
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        try {
            return bind().createSQLXML();
        } finally {
            maybeRelease();
        }
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        try {
            return bind().createArrayOf(typeName, elements);
        } finally {
            maybeRelease();
        }
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        try {
            return bind().createStruct(typeName, attributes);
        } finally {
            maybeRelease();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Life cycle

    @Override
    public boolean isValid(int timeout) throws SQLException {
        if (timeout < 0) {
            throw new SQLException("timeout must not be negative", "HY024");
        }
        if (closed) {
            return false;
        }
        Connection p = phys;
        return p != null ? p.isValid(timeout) : !ctx.pool.isClosed();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Closes every statement and result set, rolls back an open transaction and gives everything back. */
    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        try {
            for (int i = statements.size() - 1; i >= 0; i--) {
                statements.get(i).closeWithConnection();
            }
            statements.clear();
            if (phys != null) {
                release();
            }
        } finally {
            if (pin != null) {
                ctx.stats.pinnedNow.decrement();
            }
            ctx.stats.open.decrement();
        }
    }

    /** Closes this connection and its physical one (which is not reused), through {@code executor}. */
    @Override
    public void abort(Executor executor) throws SQLException {
        if (executor == null) {
            throw new SQLException("executor is null", "HY009");
        }
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        Connection p = phys;
        phys = null;
        if (pin != null) {
            ctx.stats.pinnedNow.decrement();
        }
        ctx.stats.open.decrement();
        if (p != null) {
            executor.execute(() -> {
                closePhysicalStatements();
                ctx.evict(p);
            });
        }
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        checkOpen();
        return bindForUnwrap().unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return true;
        }
        checkOpen();
        try {
            return bind().isWrapperFor(iface);
        } finally {
            maybeRelease();
        }
    }

    @Override
    public String toString() {
        return "LogicalConnection[" + ctx.pool.name() + (phys != null ? ", bound" : "")
                + (pin != null ? ", pinned: " + pin.tag() : "") + (closed ? ", closed" : "") + "]";
    }

    /** A savepoint of one binding; using it after that binding ended is an error (3B001). */
    private static final class LogicalSavepoint implements Savepoint {
        final int gen;
        final Savepoint physical;

        LogicalSavepoint(int gen, Savepoint physical) {
            this.gen = gen;
            this.physical = physical;
        }

        @Override
        public int getSavepointId() throws SQLException {
            return physical.getSavepointId();
        }

        @Override
        public String getSavepointName() throws SQLException {
            return physical.getSavepointName();
        }
    }
}
