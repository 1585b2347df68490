package dev.pooled.jdbc.internal.tx;

/** Which rules classify statements and reset connections; chosen from the delegate URL. */
public enum Dialect {
    /** {@code jdbc:postgresql:} (pgjdbc). */
    POSTGRESQL,
    /** {@code jdbc:mysql:} and {@code jdbc:mariadb:} (MySQL Connector/J, MariaDB Connector/J). */
    MYSQL,
    /**
     * Any other database: statements are classified by the PostgreSQL and the MySQL rules together, and a physical
     * connection that was pinned or dirtied is closed rather than reset, since there is no known reset.
     */
    OTHER;

    /**
     * @param delegateUrl the URL the delegate driver gets, {@code jdbc:<subprotocol>:...}
     * @return the dialect for it
     */
    public static Dialect of(String delegateUrl) {
        if (delegateUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (delegateUrl.startsWith("jdbc:mysql:") || delegateUrl.startsWith("jdbc:mariadb:")) {
            return MYSQL;
        }
        return OTHER;
    }
}
