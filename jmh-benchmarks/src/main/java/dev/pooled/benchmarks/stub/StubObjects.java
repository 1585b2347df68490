package dev.pooled.benchmarks.stub;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Statements, result sets and metadata for {@link StubConnection}, as dynamic proxies: every method returns a
 * neutral value (0, {@code false}, {@code null}) except the few listed in {@link Handler#invoke}. A query's result
 * set has one row whose columns read as 1 / "1".
 */
final class StubObjects {
    private StubObjects() {
    }

    static <T> T create(Class<T> iface, Connection connection) {
        return iface.cast(Proxy.newProxyInstance(StubObjects.class.getClassLoader(), new Class<?>[] {iface},
                new Handler(iface, connection)));
    }

    private static final class Handler implements InvocationHandler {
        private final Class<?> iface;
        private final Connection connection;
        private boolean closed;
        private int rowsLeft = 1;

        Handler(Class<?> iface, Connection connection) {
            this.iface = iface;
            this.connection = connection;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            String name = m.getName();
            switch (name) {
                case "toString":
                    return "Stub" + iface.getSimpleName();
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                case "close":
                    closed = true;
                    return null;
                case "isClosed":
                    return closed;
                case "getConnection":
                    return connection;
                case "unwrap":
                    if (((Class<?>) args[0]).isInstance(proxy)) {
                        return proxy;
                    }
                    throw new SQLException("not a wrapper for " + args[0]);
                case "isWrapperFor":
                    return ((Class<?>) args[0]).isInstance(proxy);
                default:
                    break;
            }
            if (closed && !name.startsWith("get") && !name.startsWith("is")) {
                throw new SQLException("stub " + iface.getSimpleName() + " is closed");
            }
            switch (name) {
                case "executeQuery":
                case "getResultSet":
                case "getGeneratedKeys":
                    return create(ResultSet.class, connection);
                case "next":
                    return rowsLeft-- > 0;
                case "getUpdateCount":
                    return -1;
                case "getDatabaseProductName":
                case "getDriverName":
                    return "Stub";
                case "getDatabaseProductVersion":
                case "getDriverVersion":
                    return "1.0";
                default:
                    break;
            }
            Class<?> r = m.getReturnType();
            boolean column = iface == ResultSet.class && name.startsWith("get") && args != null && args.length == 1;
            return column ? value(r, 1) : value(r, 0);
        }

        /** @return {@code n} as the return type {@code r}; {@code null} (or "1" for a column) for reference types */
        private static Object value(Class<?> r, int n) {
            if (r == String.class) {
                return n == 0 ? null : Integer.toString(n);
            }
            if (r == Object.class) {
                return n == 0 ? null : Integer.valueOf(n);
            }
            if (!r.isPrimitive() || r == void.class) {
                return null;
            }
            if (r == boolean.class) {
                return n != 0;
            }
            if (r == int.class) {
                return n;
            }
            if (r == long.class) {
                return (long) n;
            }
            if (r == double.class) {
                return (double) n;
            }
            if (r == float.class) {
                return (float) n;
            }
            if (r == short.class) {
                return (short) n;
            }
            if (r == byte.class) {
                return (byte) n;
            }
            return (char) ('0' + n);
        }
    }
}
