package dev.pooled.jdbc.internal.tx;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.ResultSet;

/**
 * The logical connection's {@link java.sql.DatabaseMetaData}: each call runs on the bound physical connection's
 * metadata (binding one for the call if needed). A result set it returns keeps the binding until it is read or
 * closed; {@code getConnection()} returns the logical connection. Metadata is not a hot path, so a dynamic proxy
 * spares ~180 hand-written methods.
 */
final class MetaDataHandler implements InvocationHandler {
    private final LogicalConnection conn;

    MetaDataHandler(LogicalConnection conn) {
        this.conn = conn;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (method.getDeclaringClass() == Object.class) {
            switch (name) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                default:
                    return "LogicalDatabaseMetaData[" + conn + "]";
            }
        }
        if (name.equals("getConnection")) {
            return conn;
        }
        boolean unwrap = name.equals("unwrap");
        if ((unwrap || name.equals("isWrapperFor")) && ((Class<?>) args[0]).isInstance(proxy)) {
            return unwrap ? proxy : Boolean.TRUE;
        }
        conn.checkOpen();
        try {
            Connection p = unwrap ? conn.bindForUnwrap() : conn.bind();
            Object result = method.invoke(p.getMetaData(), args);
            return result instanceof ResultSet ? conn.metaResult((ResultSet) result) : result;
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            conn.maybeRelease();
        }
    }
}
