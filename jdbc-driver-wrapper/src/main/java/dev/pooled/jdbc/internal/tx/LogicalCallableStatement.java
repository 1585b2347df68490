package dev.pooled.jdbc.internal.tx;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.Date;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Map;

/**
 * A callable statement of a {@link LogicalConnection}. Out-parameter registrations and parameters set by name are
 * recorded and replayed on each physical statement, like the indexed ones. After an execution it keeps its binding
 * until it is closed or executed again, so that its out parameters can be read; close it promptly in auto-commit
 * mode. A call is {@link StatementClassifier#DIRTY}: the procedure may change session state out of sight, so the
 * physical connection is reset in full before it goes back.
 */
final class LogicalCallableStatement extends LogicalPreparedStatement implements CallableStatement {
    /** A recorded call on the physical statement. */
    private interface Call {
        void apply(CallableStatement cs) throws SQLException;
    }

    private final ArrayList<Call> outs = new ArrayList<>();
    private final ArrayList<Call> named = new ArrayList<>();

    LogicalCallableStatement(LogicalConnection conn, String sql, int classification, int resultSetType,
            int resultSetConcurrency, int resultSetHoldability) {
        super(conn, sql, classification | StatementClassifier.DIRTY, TYPED, resultSetType, resultSetConcurrency,
                resultSetHoldability, Statement.NO_GENERATED_KEYS, null, null);
    }

    @Override
    Statement create(Connection p) throws SQLException {
        return resultSetHoldability == UNSET ? p.prepareCall(sql, resultSetType, resultSetConcurrency)
                : p.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability);
    }

    @Override
    void prepared(PreparedStatement ps) throws SQLException {
        CallableStatement cs = (CallableStatement) ps;
        for (Call c : outs) {
            c.apply(cs);
        }
        for (Call c : named) {
            c.apply(cs);
        }
        outPending = true;
    }

    @Override
    public void clearParameters() throws SQLException {
        super.clearParameters();
        named.clear();
    }

    private CallableStatement out() throws SQLException {
        checkOpen();
        if (!outPending || !physCurrent()) {
            throw new SQLException("no out parameters to read: execute the statement first", "HY010");
        }
        return (CallableStatement) phys;
    }

    @Override
    public void registerOutParameter(int parameterIndex, int sqlType) throws SQLException {
        checkOpen();
        outs.add(cs -> cs.registerOutParameter(parameterIndex, sqlType));
    }

    @Override
    public void registerOutParameter(int parameterIndex, int sqlType, int scale) throws SQLException {
        checkOpen();
        outs.add(cs -> cs.registerOutParameter(parameterIndex, sqlType, scale));
    }

    @Override
    public boolean wasNull() throws SQLException {
        return out().wasNull();
    }

    @Override
    public String getString(int parameterIndex) throws SQLException {
        return out().getString(parameterIndex);
    }

    @Override
    public boolean getBoolean(int parameterIndex) throws SQLException {
        return out().getBoolean(parameterIndex);
    }

    @Override
    public byte getByte(int parameterIndex) throws SQLException {
        return out().getByte(parameterIndex);
    }

    @Override
    public short getShort(int parameterIndex) throws SQLException {
        return out().getShort(parameterIndex);
    }

    @Override
    public int getInt(int parameterIndex) throws SQLException {
        return out().getInt(parameterIndex);
    }

    @Override
    public long getLong(int parameterIndex) throws SQLException {
        return out().getLong(parameterIndex);
    }

    @Override
    public float getFloat(int parameterIndex) throws SQLException {
        return out().getFloat(parameterIndex);
    }

    @Override
    public double getDouble(int parameterIndex) throws SQLException {
        return out().getDouble(parameterIndex);
    }

    @Override
    @Deprecated
    @SuppressWarnings("deprecation")
    public BigDecimal getBigDecimal(int parameterIndex, int scale) throws SQLException {
        return out().getBigDecimal(parameterIndex, scale);
    }

    @Override
    public byte[] getBytes(int parameterIndex) throws SQLException {
        return out().getBytes(parameterIndex);
    }

    @Override
    public Date getDate(int parameterIndex) throws SQLException {
        return out().getDate(parameterIndex);
    }

    @Override
    public Time getTime(int parameterIndex) throws SQLException {
        return out().getTime(parameterIndex);
    }

    @Override
    public Timestamp getTimestamp(int parameterIndex) throws SQLException {
        return out().getTimestamp(parameterIndex);
    }

    @Override
    public Object getObject(int parameterIndex) throws SQLException {
        return out().getObject(parameterIndex);
    }

    @Override
    public BigDecimal getBigDecimal(int parameterIndex) throws SQLException {
        return out().getBigDecimal(parameterIndex);
    }

    @Override
    public Object getObject(int parameterIndex, java.util.Map<String,Class<?>> map) throws SQLException {
        return out().getObject(parameterIndex, map);
    }

    @Override
    public Ref getRef(int parameterIndex) throws SQLException {
        return out().getRef(parameterIndex);
    }

    @Override
    public Blob getBlob(int parameterIndex) throws SQLException {
        return out().getBlob(parameterIndex);
    }

    @Override
    public Clob getClob(int parameterIndex) throws SQLException {
        return out().getClob(parameterIndex);
    }

    @Override
    public Array getArray(int parameterIndex) throws SQLException {
        return out().getArray(parameterIndex);
    }

    @Override
    public Date getDate(int parameterIndex, Calendar cal) throws SQLException {
        return out().getDate(parameterIndex, cal);
    }

    @Override
    public Time getTime(int parameterIndex, Calendar cal) throws SQLException {
        return out().getTime(parameterIndex, cal);
    }

    @Override
    public Timestamp getTimestamp(int parameterIndex, Calendar cal) throws SQLException {
        return out().getTimestamp(parameterIndex, cal);
    }

    @Override
    public void registerOutParameter(int parameterIndex, int sqlType, String typeName) throws SQLException {
        checkOpen();
        outs.add(cs -> cs.registerOutParameter(parameterIndex, sqlType, typeName));
    }

    @Override
    public void registerOutParameter(String parameterName, int sqlType) throws SQLException {
        checkOpen();
        outs.add(cs -> cs.registerOutParameter(parameterName, sqlType));
    }

    @Override
    public void registerOutParameter(String parameterName, int sqlType, int scale) throws SQLException {
        checkOpen();
        outs.add(cs -> cs.registerOutParameter(parameterName, sqlType, scale));
    }

    @Override
    public void registerOutParameter(String parameterName, int sqlType, String typeName) throws SQLException {
        checkOpen();
        outs.add(cs -> cs.registerOutParameter(parameterName, sqlType, typeName));
    }

    @Override
    public URL getURL(int parameterIndex) throws SQLException {
        return out().getURL(parameterIndex);
    }

    @Override
    public void setURL(String parameterName, URL val) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setURL(parameterName, val));
    }

    @Override
    public void setNull(String parameterName, int sqlType) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setNull(parameterName, sqlType));
    }

    @Override
    public void setBoolean(String parameterName, boolean x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setBoolean(parameterName, x));
    }

    @Override
    public void setByte(String parameterName, byte x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setByte(parameterName, x));
    }

    @Override
    public void setShort(String parameterName, short x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setShort(parameterName, x));
    }

    @Override
    public void setInt(String parameterName, int x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setInt(parameterName, x));
    }

    @Override
    public void setLong(String parameterName, long x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setLong(parameterName, x));
    }

    @Override
    public void setFloat(String parameterName, float x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setFloat(parameterName, x));
    }

    @Override
    public void setDouble(String parameterName, double x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setDouble(parameterName, x));
    }

    @Override
    public void setBigDecimal(String parameterName, BigDecimal x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setBigDecimal(parameterName, x));
    }

    @Override
    public void setString(String parameterName, String x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setString(parameterName, x));
    }

    @Override
    public void setBytes(String parameterName, byte[] x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setBytes(parameterName, x));
    }

    @Override
    public void setDate(String parameterName, Date x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setDate(parameterName, x));
    }

    @Override
    public void setTime(String parameterName, Time x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setTime(parameterName, x));
    }

    @Override
    public void setTimestamp(String parameterName, Timestamp x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setTimestamp(parameterName, x));
    }

    @Override
    public void setAsciiStream(String parameterName, InputStream x, int length) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setAsciiStream(parameterName, x, length));
    }

    @Override
    public void setBinaryStream(String parameterName, InputStream x, int length) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setBinaryStream(parameterName, x, length));
    }

    @Override
    public void setObject(String parameterName, Object x, int targetSqlType, int scale) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setObject(parameterName, x, targetSqlType, scale));
    }

    @Override
    public void setObject(String parameterName, Object x, int targetSqlType) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setObject(parameterName, x, targetSqlType));
    }

    @Override
    public void setObject(String parameterName, Object x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setObject(parameterName, x));
    }

    @Override
    public void setCharacterStream(String parameterName, Reader reader, int length) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setCharacterStream(parameterName, reader, length));
    }

    @Override
    public void setDate(String parameterName, Date x, Calendar cal) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setDate(parameterName, x, cal));
    }

    @Override
    public void setTime(String parameterName, Time x, Calendar cal) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setTime(parameterName, x, cal));
    }

    @Override
    public void setTimestamp(String parameterName, Timestamp x, Calendar cal) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setTimestamp(parameterName, x, cal));
    }

    @Override
    public void setNull(String parameterName, int sqlType, String typeName) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setNull(parameterName, sqlType, typeName));
    }

    @Override
    public String getString(String parameterName) throws SQLException {
        return out().getString(parameterName);
    }

    @Override
    public boolean getBoolean(String parameterName) throws SQLException {
        return out().getBoolean(parameterName);
    }

    @Override
    public byte getByte(String parameterName) throws SQLException {
        return out().getByte(parameterName);
    }

    @Override
    public short getShort(String parameterName) throws SQLException {
        return out().getShort(parameterName);
    }

    @Override
    public int getInt(String parameterName) throws SQLException {
        return out().getInt(parameterName);
    }

    @Override
    public long getLong(String parameterName) throws SQLException {
        return out().getLong(parameterName);
    }

    @Override
    public float getFloat(String parameterName) throws SQLException {
        return out().getFloat(parameterName);
    }

    @Override
    public double getDouble(String parameterName) throws SQLException {
        return out().getDouble(parameterName);
    }

    @Override
    public byte[] getBytes(String parameterName) throws SQLException {
        return out().getBytes(parameterName);
    }

    @Override
    public Date getDate(String parameterName) throws SQLException {
        return out().getDate(parameterName);
    }

    @Override
    public Time getTime(String parameterName) throws SQLException {
        return out().getTime(parameterName);
    }

    @Override
    public Timestamp getTimestamp(String parameterName) throws SQLException {
        return out().getTimestamp(parameterName);
    }

    @Override
    public Object getObject(String parameterName) throws SQLException {
        return out().getObject(parameterName);
    }

    @Override
    public BigDecimal getBigDecimal(String parameterName) throws SQLException {
        return out().getBigDecimal(parameterName);
    }

    @Override
    public Object getObject(String parameterName, java.util.Map<String,Class<?>> map) throws SQLException {
        return out().getObject(parameterName, map);
    }

    @Override
    public Ref getRef(String parameterName) throws SQLException {
        return out().getRef(parameterName);
    }

    @Override
    public Blob getBlob(String parameterName) throws SQLException {
        return out().getBlob(parameterName);
    }

    @Override
    public Clob getClob(String parameterName) throws SQLException {
        return out().getClob(parameterName);
    }

    @Override
    public Array getArray(String parameterName) throws SQLException {
        return out().getArray(parameterName);
    }

    @Override
    public Date getDate(String parameterName, Calendar cal) throws SQLException {
        return out().getDate(parameterName, cal);
    }

    @Override
    public Time getTime(String parameterName, Calendar cal) throws SQLException {
        return out().getTime(parameterName, cal);
    }

    @Override
    public Timestamp getTimestamp(String parameterName, Calendar cal) throws SQLException {
        return out().getTimestamp(parameterName, cal);
    }

    @Override
    public URL getURL(String parameterName) throws SQLException {
        return out().getURL(parameterName);
    }

    @Override
    public RowId getRowId(int parameterIndex) throws SQLException {
        return out().getRowId(parameterIndex);
    }

    @Override
    public RowId getRowId(String parameterName) throws SQLException {
        return out().getRowId(parameterName);
    }

    @Override
    public void setRowId(String parameterName, RowId x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setRowId(parameterName, x));
    }

    @Override
    public void setNString(String parameterName, String value) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setNString(parameterName, value));
    }

    @Override
    public void setNCharacterStream(String parameterName, Reader value, long length) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setNCharacterStream(parameterName, value, length));
    }

    @Override
    public void setNClob(String parameterName, NClob value) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setNClob(parameterName, value));
    }

    @Override
    public void setClob(String parameterName, Reader reader, long length) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setClob(parameterName, reader, length));
    }

    @Override
    public void setBlob(String parameterName, InputStream inputStream, long length) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setBlob(parameterName, inputStream, length));
    }

    @Override
    public void setNClob(String parameterName, Reader reader, long length) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setNClob(parameterName, reader, length));
    }

    @Override
    public NClob getNClob(int parameterIndex) throws SQLException {
        return out().getNClob(parameterIndex);
    }

    @Override
    public NClob getNClob(String parameterName) throws SQLException {
        return out().getNClob(parameterName);
    }

    @Override
    public void setSQLXML(String parameterName, SQLXML xmlObject) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setSQLXML(parameterName, xmlObject));
    }

    @Override
    public SQLXML getSQLXML(int parameterIndex) throws SQLException {
        return out().getSQLXML(parameterIndex);
    }

    @Override
    public SQLXML getSQLXML(String parameterName) throws SQLException {
        return out().getSQLXML(parameterName);
    }

    @Override
    public String getNString(int parameterIndex) throws SQLException {
        return out().getNString(parameterIndex);
    }

    @Override
    public String getNString(String parameterName) throws SQLException {
        return out().getNString(parameterName);
    }

    @Override
    public Reader getNCharacterStream(int parameterIndex) throws SQLException {
        return out().getNCharacterStream(parameterIndex);
    }

    @Override
    public Reader getNCharacterStream(String parameterName) throws SQLException {
        return out().getNCharacterStream(parameterName);
    }

    @Override
    public Reader getCharacterStream(int parameterIndex) throws SQLException {
        return out().getCharacterStream(parameterIndex);
    }

    @Override
    public Reader getCharacterStream(String parameterName) throws SQLException {
        return out().getCharacterStream(parameterName);
    }

    @Override
    public void setBlob(String parameterName, Blob x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setBlob(parameterName, x));
    }

    @Override
    public void setClob(String parameterName, Clob x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setClob(parameterName, x));
    }

    @Override
    public void setAsciiStream(String parameterName, InputStream x, long length) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setAsciiStream(parameterName, x, length));
    }

    @Override
    public void setBinaryStream(String parameterName, InputStream x, long length) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setBinaryStream(parameterName, x, length));
    }

    @Override
    public void setCharacterStream(String parameterName, Reader reader, long length) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setCharacterStream(parameterName, reader, length));
    }

    @Override
    public void setAsciiStream(String parameterName, InputStream x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setAsciiStream(parameterName, x));
    }

    @Override
    public void setBinaryStream(String parameterName, InputStream x) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setBinaryStream(parameterName, x));
    }

    @Override
    public void setCharacterStream(String parameterName, Reader reader) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setCharacterStream(parameterName, reader));
    }

    @Override
    public void setNCharacterStream(String parameterName, Reader value) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setNCharacterStream(parameterName, value));
    }

    @Override
    public void setClob(String parameterName, Reader reader) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setClob(parameterName, reader));
    }

    @Override
    public void setBlob(String parameterName, InputStream inputStream) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setBlob(parameterName, inputStream));
    }

    @Override
    public void setNClob(String parameterName, Reader reader) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setNClob(parameterName, reader));
    }

    @Override
    public <T> T getObject(int parameterIndex, Class<T> type) throws SQLException {
        return out().getObject(parameterIndex, type);
    }

    @Override
    public <T> T getObject(String parameterName, Class<T> type) throws SQLException {
        return out().getObject(parameterName, type);
    }

    @Override
    public void setObject(String parameterName, Object x, SQLType targetSqlType, int scaleOrLength)
            throws SQLException {
        checkOpen();
        named.add(cs -> cs.setObject(parameterName, x, targetSqlType, scaleOrLength));
    }

    @Override
    public void setObject(String parameterName, Object x, SQLType targetSqlType) throws SQLException {
        checkOpen();
        named.add(cs -> cs.setObject(parameterName, x, targetSqlType));
    }

    @Override
    public void registerOutParameter(int parameterIndex, SQLType sqlType) throws SQLException {
        checkOpen();
        outs.add(cs -> cs.registerOutParameter(parameterIndex, sqlType));
    }

    @Override
    public void registerOutParameter(int parameterIndex, SQLType sqlType, int scale) throws SQLException {
        checkOpen();
        outs.add(cs -> cs.registerOutParameter(parameterIndex, sqlType, scale));
    }

    @Override
    public void registerOutParameter(int parameterIndex, SQLType sqlType, String typeName) throws SQLException {
        checkOpen();
        outs.add(cs -> cs.registerOutParameter(parameterIndex, sqlType, typeName));
    }

    @Override
    public void registerOutParameter(String parameterName, SQLType sqlType) throws SQLException {
        checkOpen();
        outs.add(cs -> cs.registerOutParameter(parameterName, sqlType));
    }

    @Override
    public void registerOutParameter(String parameterName, SQLType sqlType, int scale) throws SQLException {
        checkOpen();
        outs.add(cs -> cs.registerOutParameter(parameterName, sqlType, scale));
    }

    @Override
    public void registerOutParameter(String parameterName, SQLType sqlType, String typeName) throws SQLException {
        checkOpen();
        outs.add(cs -> cs.registerOutParameter(parameterName, sqlType, typeName));
    }
}
