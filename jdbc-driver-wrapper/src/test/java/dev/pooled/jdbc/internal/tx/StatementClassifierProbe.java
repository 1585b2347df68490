package dev.pooled.jdbc.internal.tx;

/** Lets tests in other packages call the classifier with both dialects. */
public final class StatementClassifierProbe {
    private StatementClassifierProbe() {
    }

    /** Classifies {@code sql} as PostgreSQL and as MySQL. */
    public static void classifyBoth(String sql) {
        StatementClassifier.classify(sql, Dialect.POSTGRESQL);
        StatementClassifier.classify(sql, Dialect.MYSQL);
    }
}
