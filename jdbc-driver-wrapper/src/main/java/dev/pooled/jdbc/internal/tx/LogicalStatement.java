package dev.pooled.jdbc.internal.tx;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;

/**
 * A statement of a {@link LogicalConnection}. It keeps its settings and creates a physical statement on whichever
 * physical connection is bound when it executes (again after each new binding). After an execution it keeps the
 * binding while its results are not consumed: an open result set not read to its end, further results of
 * {@code execute()}, generated keys asked for and not read yet, or (callable statements) out parameters until it is
 * closed or executed again. Update counts are kept here, so an update needs nothing after it returns.
 *
 * <p>Used by one thread at a time; {@link #cancel()} works from any thread.
 */
class LogicalStatement implements Statement, ResultOwner {
    private static final int PEEK_NONE = 0;
    private static final int PEEK_RESULT_SET = 1;
    private static final int PEEK_COUNT = 2;
    static final int UNSET = LogicalConnection.UNSET;

    final LogicalConnection conn;
    final int resultSetType;
    final int resultSetConcurrency;
    final int resultSetHoldability;

    /** The physical statement, valid while {@link #physGen} is the connection's current binding. */
    volatile Statement phys;
    int physGen = -1;
    /** Whether {@link #phys} was created for the current execution (nothing to clear on it). */
    boolean physFresh;
    boolean closed;

    // Settings, applied to each physical statement.
    private int maxFieldSize = UNSET;
    private long maxRows = UNSET;
    private int queryTimeout = UNSET;
    private int fetchDirection = UNSET;
    private int fetchSize = UNSET;
    private int escapeProcessing = UNSET;
    private int poolable = UNSET;
    private String cursorName;
    private boolean closeOnCompletion;

    // Results of the last execution.
    private LogicalResultSet current;
    private LogicalResultSet keys;
    private long updateCount = -1;
    /** The physical statement may hold more results (execute()). */
    private boolean live;
    private int peeked;
    /** Generated keys were asked for; the last execution's keys are not read yet. */
    boolean keysRequested;
    private boolean keysPending;
    /** Out parameters to read (callable statements). */
    boolean outPending;
    private boolean holding;
    private int holdGen;

    /** What waits for {@link #executeBatch()}: SQL texts here, parameter sets in a prepared statement. */
    ArrayList<Object> batch;

    LogicalStatement(LogicalConnection conn, int resultSetType, int resultSetConcurrency, int resultSetHoldability) {
        this.conn = conn;
        this.resultSetType = resultSetType;
        this.resultSetConcurrency = resultSetConcurrency;
        this.resultSetHoldability = resultSetHoldability;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Execution plumbing

    final void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLException("the statement is closed", "HY010");
        }
        conn.checkOpen();
    }

    /** @return whether the physical statement belongs to the current binding */
    final boolean physCurrent() {
        return phys != null && physGen == conn.gen() && conn.isBound();
    }

    /** Creates the physical statement on a newly bound connection. */
    Statement create(Connection p) throws SQLException {
        if (resultSetHoldability != UNSET) {
            return p.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability);
        }
        if (resultSetType != ResultSet.TYPE_FORWARD_ONLY || resultSetConcurrency != ResultSet.CONCUR_READ_ONLY) {
            return p.createStatement(resultSetType, resultSetConcurrency);
        }
        return p.createStatement();
    }

    /**
     * Gets ready to execute: the last execution's results are dropped (JDBC closes them), a physical connection is
     * bound and the physical statement made for it.
     */
    final Statement prepareExecution(int classification) throws SQLException {
        checkOpen();
        conn.admit(classification);
        dropResults();
        Statement s;
        try {
            s = ensurePhysical();
        } catch (SQLException e) {
            throw failed(e);
        }
        conn.executing(classification);
        execStart = System.nanoTime();
        return s;
    }

    /** {@link System#nanoTime()} when the current execution was sent; 0 when none is being timed. */
    private long execStart;

    /**
     * Reports the execution's latency to the pool (the throttle reads database latency, not hold time). Called on
     * every outcome of an execution, once.
     */
    private void timed() {
        long t = execStart;
        if (t != 0) {
            execStart = 0;
            conn.ctx.pool.recordStatement(System.nanoTime() - t);
        }
    }

    /** @return the physical statement of the current binding, binding and creating as needed */
    final Statement ensurePhysical() throws SQLException {
        Connection p = conn.bind();
        Statement s = phys;
        if (s == null || physGen != conn.gen()) {
            s = create(p);
            applySettings(s);
            phys = s;
            physGen = conn.gen();
            physFresh = true;
        } else {
            physFresh = false;
        }
        return s;
    }

    private void applySettings(Statement s) throws SQLException {
        if (maxFieldSize != UNSET) {
            s.setMaxFieldSize(maxFieldSize);
        }
        if (maxRows != UNSET) {
            if (maxRows > Integer.MAX_VALUE) {
                s.setLargeMaxRows(maxRows);
            } else {
                s.setMaxRows((int) maxRows);
            }
        }
        if (queryTimeout != UNSET) {
            s.setQueryTimeout(queryTimeout);
        }
        if (fetchDirection != UNSET) {
            s.setFetchDirection(fetchDirection);
        }
        if (fetchSize != UNSET) {
            s.setFetchSize(fetchSize);
        }
        if (escapeProcessing != UNSET) {
            s.setEscapeProcessing(escapeProcessing == 1);
        }
        if (poolable != UNSET) {
            s.setPoolable(poolable == 1);
        }
        if (cursorName != null) {
            s.setCursorName(cursorName);
        }
    }

    /** Drops the last execution's results without letting the binding go (an execution follows). */
    private void dropResults() {
        if (current != null) {
            current.closeQuietly();
            current = null;
        }
        if (keys != null) {
            keys.closeQuietly();
            keys = null;
        }
        updateCount = -1;
        live = false;
        peeked = PEEK_NONE;
        keysPending = false;
        outPending = false;
        if (holding) {
            holding = false;
            if (holdGen == conn.gen() && conn.isBound()) {
                conn.holders--;
            }
        }
    }

    /** Takes or gives up this statement's hold on the binding, after its results changed. */
    final void updateHold() {
        boolean h = current != null && !current.isDone() || keys != null && !keys.isDone() || live || keysPending
                || outPending;
        if (h == holding) {
            if (!h) {
                conn.maybeRelease();
            }
            return;
        }
        holding = h;
        if (h) {
            holdGen = conn.gen();
            conn.holders++;
        } else {
            if (holdGen == conn.gen() && conn.isBound()) {
                conn.holders--;
            }
            conn.maybeRelease();
        }
    }

    /** After an execution failed: nothing to hold (in a transaction the binding stays for the rollback). */
    final SQLException failed(SQLException e) {
        timed();
        outPending = false;
        updateHold();
        return e;
    }

    final ResultSet queried(ResultSet rs) {
        timed();
        current = new LogicalResultSet(this, rs, forwardOnly());
        updateHold();
        return current;
    }

    final void updated(long count) {
        timed();
        updateCount = count;
        keysPending = keysRequested;
        updateHold();
    }

    final void batched() {
        timed();
        keysPending = keysRequested;
        updateHold();
    }

    /** After {@code execute()}: the first result is current; more may follow. */
    final boolean executed(Statement s, boolean isResultSet) throws SQLException {
        timed();
        if (isResultSet) {
            current = new LogicalResultSet(this, s.getResultSet(), forwardOnly());
            live = true;
        } else {
            updateCount = largeUpdateCount(s);
            if (keysRequested) {
                keysPending = true;
            } else {
                live = true;
                peek();
            }
        }
        updateHold();
        return isResultSet;
    }

    /** @return the update count, through the long method where the driver has it */
    static long largeUpdateCount(Statement s) throws SQLException {
        try {
            return s.getLargeUpdateCount();
        } catch (UnsupportedOperationException | SQLFeatureNotSupportedException e) {
            return s.getUpdateCount();
        }
    }

    private boolean forwardOnly() {
        return resultSetType == ResultSet.TYPE_FORWARD_ONLY && resultSetConcurrency == ResultSet.CONCUR_READ_ONLY;
    }

    /** Looks at the physical statement's next result, so an exhausted statement lets its binding go at once. */
    private void peek() throws SQLException {
        Statement s = phys;
        if (!physCurrent()) {
            live = false;
            return;
        }
        if (s.getMoreResults()) {
            peeked = PEEK_RESULT_SET;
        } else if (s.getUpdateCount() != -1) {
            peeked = PEEK_COUNT;
        } else {
            live = false;
            peeked = PEEK_NONE;
        }
    }

    @Override
    public final LogicalConnection connection() {
        return conn;
    }

    @Override
    public final Statement statement() {
        return this;
    }

    @Override
    public final void resultDone(LogicalResultSet rs, boolean closedNow) throws SQLException {
        if (rs == current) {
            if (live && peeked == PEEK_NONE) {
                try {
                    peek();
                } catch (SQLException e) {
                    live = false;
                    updateHold();
                    throw e;
                }
            }
        } else if (rs != keys) {
            return;
        }
        updateHold();
        if (closedNow && closeOnCompletion && !holding && !closed) {
            close();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Statement

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        int c = conn.ctx.classify(sql);
        Statement s = prepareExecution(c);
        try {
            return queried(s.executeQuery(sql));
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        return (int) update(sql, Statement.NO_GENERATED_KEYS, null, null, false);
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return (int) update(sql, autoGeneratedKeys, null, null, false);
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return (int) update(sql, Statement.RETURN_GENERATED_KEYS, columnIndexes, null, false);
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        return (int) update(sql, Statement.RETURN_GENERATED_KEYS, null, columnNames, false);
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        return update(sql, Statement.NO_GENERATED_KEYS, null, null, true);
    }

    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return update(sql, autoGeneratedKeys, null, null, true);
    }

    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return update(sql, Statement.RETURN_GENERATED_KEYS, columnIndexes, null, true);
    }

    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        return update(sql, Statement.RETURN_GENERATED_KEYS, null, columnNames, true);
    }

    private long update(String sql, int autoKeys, int[] indexes, String[] names, boolean large)
            throws SQLException {
        int c = conn.ctx.classify(sql);
        Statement s = prepareExecution(c);
        keysRequested = autoKeys == Statement.RETURN_GENERATED_KEYS;
        try {
            long n;
            if (indexes != null) {
                n = large ? s.executeLargeUpdate(sql, indexes) : s.executeUpdate(sql, indexes);
            } else if (names != null) {
                n = large ? s.executeLargeUpdate(sql, names) : s.executeUpdate(sql, names);
            } else if (keysRequested) {
                n = large ? s.executeLargeUpdate(sql, autoKeys) : s.executeUpdate(sql, autoKeys);
            } else {
                n = large ? s.executeLargeUpdate(sql) : s.executeUpdate(sql);
            }
            updated(n);
            return n;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        return execute(sql, Statement.NO_GENERATED_KEYS, null, null);
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        return execute(sql, autoGeneratedKeys, null, null);
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        return execute(sql, Statement.RETURN_GENERATED_KEYS, columnIndexes, null);
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        return execute(sql, Statement.RETURN_GENERATED_KEYS, null, columnNames);
    }

    private boolean execute(String sql, int autoKeys, int[] indexes, String[] names) throws SQLException {
        int c = conn.ctx.classify(sql);
        Statement s = prepareExecution(c);
        keysRequested = autoKeys == Statement.RETURN_GENERATED_KEYS;
        try {
            boolean isResultSet;
            if (indexes != null) {
                isResultSet = s.execute(sql, indexes);
            } else if (names != null) {
                isResultSet = s.execute(sql, names);
            } else if (keysRequested) {
                isResultSet = s.execute(sql, autoKeys);
            } else {
                isResultSet = s.execute(sql);
            }
            return executed(s, isResultSet);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        addToBatch(sql);
    }

    final void addToBatch(Object item) throws SQLException {
        checkOpen();
        if (batch == null) {
            batch = new ArrayList<>();
        }
        batch.add(item);
    }

    @Override
    public void clearBatch() throws SQLException {
        checkOpen();
        if (batch != null) {
            batch.clear();
        }
    }

    @Override
    public int[] executeBatch() throws SQLException {
        checkOpen();
        if (batch == null || batch.isEmpty()) {
            return new int[0];
        }
        Statement s = readyForBatch();
        try {
            int[] counts = s.executeBatch();
            batched();
            return counts;
        } catch (SQLException e) {
            throw failed(e);
        } finally {
            batch.clear();
        }
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        checkOpen();
        if (batch == null || batch.isEmpty()) {
            return new long[0];
        }
        Statement s = readyForBatch();
        try {
            long[] counts = s.executeLargeBatch();
            batched();
            return counts;
        } catch (SQLException e) {
            throw failed(e);
        } finally {
            batch.clear();
        }
    }

    /**
     * Binds and fills the physical statement's batch from {@link #batch}; on failure the batch is dropped. Here:
     * classifies every statement of the batch (the first pin wins) and adds each.
     */
    Statement readyForBatch() throws SQLException {
        int c = StatementClassifier.NONE;
        for (Object item : batch) {
            int one = conn.ctx.classify((String) item);
            int flags = (c | one) & ~StatementClassifier.PIN_MASK;
            c = ((c & StatementClassifier.PIN_MASK) != 0 ? c : one) & StatementClassifier.PIN_MASK | flags;
        }
        Statement s;
        try {
            s = prepareExecution(c);
        } catch (SQLException e) {
            batch.clear();
            throw e;
        }
        keysRequested = false;
        try {
            if (!physFresh) {
                s.clearBatch();
            }
            for (Object sql : batch) {
                s.addBatch((String) sql);
            }
            return s;
        } catch (SQLException e) {
            batch.clear();
            throw failed(e);
        }
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        checkOpen();
        return current == null || current.isClosed() ? null : current;
    }

    @Override
    public int getUpdateCount() throws SQLException {
        checkOpen();
        return current != null ? -1 : (int) Math.min(Integer.MAX_VALUE, updateCount);
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        checkOpen();
        return current != null ? -1 : updateCount;
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        checkOpen();
        LogicalResultSet cur = current;
        current = null;
        if (cur != null && !cur.isDone()) {
            cur.closeQuietly();
            if (live && peeked == PEEK_NONE) {
                peek();
            }
        }
        updateCount = -1;
        if (!live || !physCurrent()) {
            live = false;
            updateHold();
            return false;
        }
        Statement s = phys;
        boolean isResultSet;
        if (peeked != PEEK_NONE) {
            isResultSet = peeked == PEEK_RESULT_SET;
            peeked = PEEK_NONE;
        } else {
            isResultSet = s.getMoreResults();
            if (!isResultSet && s.getUpdateCount() == -1) {
                live = false;
                updateHold();
                return false;
            }
        }
        if (isResultSet) {
            current = new LogicalResultSet(this, s.getResultSet(), forwardOnly());
        } else {
            updateCount = largeUpdateCount(s);
            peek();
        }
        updateHold();
        return isResultSet;
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        if (current != Statement.CLOSE_CURRENT_RESULT) {
            throw new SQLFeatureNotSupportedException("transaction mode supports getMoreResults(CLOSE_CURRENT_RESULT)"
                    + " only");
        }
        return getMoreResults();
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        checkOpen();
        if (keysPending && physCurrent()) {
            keysPending = false;
            keys = new LogicalResultSet(this, phys.getGeneratedKeys(), true);
            updateHold();
            return keys;
        }
        if (keys != null) {
            return keys;
        }
        throw new SQLException("no generated keys: ask for them (Statement.RETURN_GENERATED_KEYS, column indexes or"
                + " names) when the statement is prepared or executed; in transaction mode the connection goes back to"
                + " the pool once an update's results are consumed", "HY010");
    }

    @Override
    public Connection getConnection() throws SQLException {
        checkOpen();
        return conn;
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closeWithConnection();
        conn.forget(this);
        conn.maybeRelease();
    }

    /** Closes this statement as part of closing it or its connection; the binding is not let go here. */
    final void closeWithConnection() {
        if (closed) {
            return;
        }
        closed = true;
        dropResults();
        closePhysical();
        batch = null;
    }

    /** Closes the physical statement if it belongs to the current binding. */
    final void closePhysical() {
        Statement s = phys;
        phys = null;
        if (s != null && physGen == conn.gen() && conn.isBound()) {
            try {
                s.close();
            } catch (SQLException | RuntimeException e) {
                // HikariCP closes it with its connection
            }
        }
    }

    @Override
    public boolean isClosed() throws SQLException {
        return closed || conn.isClosed();
    }

    @Override
    public void cancel() throws SQLException {
        Statement s = phys;
        if (s != null && physGen == conn.gen()) {
            s.cancel();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Settings: kept here, applied to the physical statement now (if any) and to every later one.

    @Override
    public int getMaxFieldSize() throws SQLException {
        checkOpen();
        return maxFieldSize == UNSET ? 0 : maxFieldSize;
    }

    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        checkOpen();
        if (max < 0) {
            throw new SQLException("max field size must not be negative", "HY024");
        }
        if (physCurrent()) {
            phys.setMaxFieldSize(max);
        }
        maxFieldSize = max;
    }

    @Override
    public int getMaxRows() throws SQLException {
        checkOpen();
        return maxRows == UNSET ? 0 : (int) Math.min(Integer.MAX_VALUE, maxRows);
    }

    @Override
    public void setMaxRows(int max) throws SQLException {
        setLargeMaxRows(max);
    }

    @Override
    public long getLargeMaxRows() throws SQLException {
        checkOpen();
        return maxRows == UNSET ? 0 : maxRows;
    }

    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        checkOpen();
        if (max < 0) {
            throw new SQLException("max rows must not be negative", "HY024");
        }
        if (physCurrent()) {
            if (max > Integer.MAX_VALUE) {
                phys.setLargeMaxRows(max);
            } else {
                phys.setMaxRows((int) max);
            }
        }
        maxRows = max;
    }

    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        checkOpen();
        if (physCurrent()) {
            phys.setEscapeProcessing(enable);
        }
        escapeProcessing = enable ? 1 : 0;
    }

    @Override
    public int getQueryTimeout() throws SQLException {
        checkOpen();
        return queryTimeout == UNSET ? 0 : queryTimeout;
    }

    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        checkOpen();
        if (seconds < 0) {
            throw new SQLException("query timeout must not be negative", "HY024");
        }
        if (physCurrent()) {
            phys.setQueryTimeout(seconds);
        }
        queryTimeout = seconds;
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return physCurrent() ? phys.getWarnings() : null;
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        if (physCurrent()) {
            phys.clearWarnings();
        }
    }

    @Override
    public void setCursorName(String name) throws SQLException {
        checkOpen();
        if (physCurrent()) {
            phys.setCursorName(name);
        }
        cursorName = name;
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkOpen();
        if (direction != ResultSet.FETCH_FORWARD && direction != ResultSet.FETCH_REVERSE
                && direction != ResultSet.FETCH_UNKNOWN) {
            throw new SQLException("unknown fetch direction " + direction, "HY024");
        }
        if (physCurrent()) {
            phys.setFetchDirection(direction);
        }
        fetchDirection = direction;
    }

    @Override
    public int getFetchDirection() throws SQLException {
        checkOpen();
        return fetchDirection == UNSET ? ResultSet.FETCH_FORWARD : fetchDirection;
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        checkOpen();
        if (rows < 0) {
            throw new SQLException("fetch size must not be negative", "HY024");
        }
        if (physCurrent()) {
            phys.setFetchSize(rows);
        }
        fetchSize = rows;
    }

    @Override
    public int getFetchSize() throws SQLException {
        checkOpen();
        return fetchSize == UNSET ? 0 : fetchSize;
    }

    @Override
    public int getResultSetConcurrency() throws SQLException {
        checkOpen();
        return resultSetConcurrency;
    }

    @Override
    public int getResultSetType() throws SQLException {
        checkOpen();
        return resultSetType;
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        checkOpen();
        return resultSetHoldability != UNSET ? resultSetHoldability : conn.getHoldability();
    }

    @Override
    public void setPoolable(boolean poolable) throws SQLException {
        checkOpen();
        if (physCurrent()) {
            phys.setPoolable(poolable);
        }
        this.poolable = poolable ? 1 : 0;
    }

    @Override
    public boolean isPoolable() throws SQLException {
        checkOpen();
        return poolable == UNSET ? this instanceof LogicalPreparedStatement : poolable == 1;
    }

    @Override
    public void closeOnCompletion() throws SQLException {
        checkOpen();
        closeOnCompletion = true;
    }

    @Override
    public boolean isCloseOnCompletion() throws SQLException {
        checkOpen();
        return closeOnCompletion;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        checkOpen();
        conn.bindForUnwrap();
        return ensurePhysical().unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return true;
        }
        checkOpen();
        try {
            return ensurePhysical().isWrapperFor(iface);
        } finally {
            updateHold();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (closed ? "closed" : holding ? "holding its connection" : "idle")
                + "]";
    }
}
