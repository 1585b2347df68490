package dev.pooled.jdbc.internal.tx;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.Calendar;

/**
 * The parameters set on a logical {@link PreparedStatement}, by index, kept so that they can be set again on the
 * physical statement of whichever connection the execution lands on. Primitives are kept unboxed in parallel arrays:
 * setting one allocates nothing once the arrays have grown to the statement's parameter count. Not thread-safe.
 */
final class Params {
    static final int NULL = 1;
    static final int NULL_TYPE_NAME = 2;
    static final int BOOLEAN = 3;
    static final int BYTE = 4;
    static final int SHORT = 5;
    static final int INT = 6;
    static final int LONG = 7;
    static final int FLOAT = 8;
    static final int DOUBLE = 9;
    static final int BIG_DECIMAL = 10;
    static final int STRING = 11;
    static final int NSTRING = 12;
    static final int BYTES = 13;
    static final int DATE = 14;
    static final int DATE_CAL = 15;
    static final int TIME = 16;
    static final int TIME_CAL = 17;
    static final int TIMESTAMP = 18;
    static final int TIMESTAMP_CAL = 19;
    static final int ASCII_INT = 20;
    static final int ASCII_LONG = 21;
    static final int ASCII = 22;
    static final int UNICODE_INT = 23;
    static final int BINARY_INT = 24;
    static final int BINARY_LONG = 25;
    static final int BINARY = 26;
    static final int CHARS_INT = 27;
    static final int CHARS_LONG = 28;
    static final int CHARS = 29;
    static final int NCHARS_LONG = 30;
    static final int NCHARS = 31;
    static final int OBJECT = 32;
    static final int OBJECT_TYPE = 33;
    static final int OBJECT_TYPE_SCALE = 34;
    static final int OBJECT_SQLTYPE = 35;
    static final int OBJECT_SQLTYPE_SCALE = 36;
    static final int REF = 37;
    static final int BLOB = 38;
    static final int BLOB_STREAM_LONG = 39;
    static final int BLOB_STREAM = 40;
    static final int CLOB = 41;
    static final int CLOB_READER_LONG = 42;
    static final int CLOB_READER = 43;
    static final int NCLOB = 44;
    static final int NCLOB_READER_LONG = 45;
    static final int NCLOB_READER = 46;
    static final int ARRAY = 47;
    static final int URL_VALUE = 48;
    static final int ROWID = 49;
    static final int SQLXML_VALUE = 50;

    /** Kind of each parameter, by index (1-based); 0 = not set. */
    private int[] kinds;
    /** A primitive value, a length or a scale. */
    private long[] nums;
    /** An SQL type code. */
    private int[] types;
    /** An object value. */
    private Object[] objs;
    /** A Calendar, a type name or an SQLType. */
    private Object[] extras;
    private int max;

    Params() {
        this(8);
    }

    private Params(int capacity) {
        kinds = new int[capacity];
        nums = new long[capacity];
        types = new int[capacity];
        objs = new Object[capacity];
        extras = new Object[capacity];
    }

    /** @return an independent copy, for a batch entry */
    Params copy() {
        Params p = new Params(max + 1);
        System.arraycopy(kinds, 0, p.kinds, 0, max + 1);
        System.arraycopy(nums, 0, p.nums, 0, max + 1);
        System.arraycopy(types, 0, p.types, 0, max + 1);
        System.arraycopy(objs, 0, p.objs, 0, max + 1);
        System.arraycopy(extras, 0, p.extras, 0, max + 1);
        p.max = max;
        return p;
    }

    void clear() {
        Arrays.fill(kinds, 0, max + 1, 0);
        Arrays.fill(objs, 0, max + 1, null);
        Arrays.fill(extras, 0, max + 1, null);
        max = 0;
    }

    void set(int index, int kind, long num, int type, Object obj, Object extra) throws SQLException {
        if (index < 1) {
            throw new SQLException("parameter index " + index + " is out of range (the first is 1)", "22023");
        }
        if (index >= kinds.length) {
            int n = Math.max(index + 1, kinds.length * 2);
            kinds = Arrays.copyOf(kinds, n);
            nums = Arrays.copyOf(nums, n);
            types = Arrays.copyOf(types, n);
            objs = Arrays.copyOf(objs, n);
            extras = Arrays.copyOf(extras, n);
        }
        kinds[index] = kind;
        nums[index] = num;
        types[index] = type;
        objs[index] = obj;
        extras[index] = extra;
        if (index > max) {
            max = index;
        }
    }

    void set(int index, int kind, Object obj) throws SQLException {
        set(index, kind, 0L, 0, obj, null);
    }

    /** Sets every recorded parameter on a physical statement. */
    void applyTo(PreparedStatement ps) throws SQLException {
        for (int i = 1; i <= max; i++) {
            int k = kinds[i];
            if (k != 0) {
                apply(ps, i, k);
            }
        }
    }

    private void apply(PreparedStatement ps, int i, int k) throws SQLException {
        long n = nums[i];
        Object o = objs[i];
        Object x = extras[i];
        switch (k) {
            case NULL -> ps.setNull(i, types[i]);
            case NULL_TYPE_NAME -> ps.setNull(i, types[i], (String) x);
            case BOOLEAN -> ps.setBoolean(i, n != 0);
            case BYTE -> ps.setByte(i, (byte) n);
            case SHORT -> ps.setShort(i, (short) n);
            case INT -> ps.setInt(i, (int) n);
            case LONG -> ps.setLong(i, n);
            case FLOAT -> ps.setFloat(i, Float.intBitsToFloat((int) n));
            case DOUBLE -> ps.setDouble(i, Double.longBitsToDouble(n));
            case BIG_DECIMAL -> ps.setBigDecimal(i, (BigDecimal) o);
            case STRING -> ps.setString(i, (String) o);
            case NSTRING -> ps.setNString(i, (String) o);
            case BYTES -> ps.setBytes(i, (byte[]) o);
            case DATE -> ps.setDate(i, (Date) o);
            case DATE_CAL -> ps.setDate(i, (Date) o, (Calendar) x);
            case TIME -> ps.setTime(i, (Time) o);
            case TIME_CAL -> ps.setTime(i, (Time) o, (Calendar) x);
            case TIMESTAMP -> ps.setTimestamp(i, (Timestamp) o);
            case TIMESTAMP_CAL -> ps.setTimestamp(i, (Timestamp) o, (Calendar) x);
            case ASCII_INT -> ps.setAsciiStream(i, (InputStream) o, (int) n);
            case ASCII_LONG -> ps.setAsciiStream(i, (InputStream) o, n);
            case ASCII -> ps.setAsciiStream(i, (InputStream) o);
            case UNICODE_INT -> unicode(ps, i, (InputStream) o, (int) n);
            case BINARY_INT -> ps.setBinaryStream(i, (InputStream) o, (int) n);
            case BINARY_LONG -> ps.setBinaryStream(i, (InputStream) o, n);
            case BINARY -> ps.setBinaryStream(i, (InputStream) o);
            case CHARS_INT -> ps.setCharacterStream(i, (Reader) o, (int) n);
            case CHARS_LONG -> ps.setCharacterStream(i, (Reader) o, n);
            case CHARS -> ps.setCharacterStream(i, (Reader) o);
            case NCHARS_LONG -> ps.setNCharacterStream(i, (Reader) o, n);
            case NCHARS -> ps.setNCharacterStream(i, (Reader) o);
            case OBJECT -> ps.setObject(i, o);
            case OBJECT_TYPE -> ps.setObject(i, o, types[i]);
            case OBJECT_TYPE_SCALE -> ps.setObject(i, o, types[i], (int) n);
            case OBJECT_SQLTYPE -> ps.setObject(i, o, (SQLType) x);
            case OBJECT_SQLTYPE_SCALE -> ps.setObject(i, o, (SQLType) x, (int) n);
            case REF -> ps.setRef(i, (Ref) o);
            case BLOB -> ps.setBlob(i, (Blob) o);
            case BLOB_STREAM_LONG -> ps.setBlob(i, (InputStream) o, n);
            case BLOB_STREAM -> ps.setBlob(i, (InputStream) o);
            case CLOB -> ps.setClob(i, (Clob) o);
            case CLOB_READER_LONG -> ps.setClob(i, (Reader) o, n);
            case CLOB_READER -> ps.setClob(i, (Reader) o);
            case NCLOB -> ps.setNClob(i, (NClob) o);
            case NCLOB_READER_LONG -> ps.setNClob(i, (Reader) o, n);
            case NCLOB_READER -> ps.setNClob(i, (Reader) o);
            case ARRAY -> ps.setArray(i, (Array) o);
            case URL_VALUE -> ps.setURL(i, (URL) o);
            case ROWID -> ps.setRowId(i, (RowId) o);
            case SQLXML_VALUE -> ps.setSQLXML(i, (SQLXML) o);
            default -> throw new IllegalStateException("unknown parameter kind " + k);
        }
    }

    @SuppressWarnings("deprecation")
    private static void unicode(PreparedStatement ps, int i, InputStream in, int length) throws SQLException {
        ps.setUnicodeStream(i, in, length);
    }
}
