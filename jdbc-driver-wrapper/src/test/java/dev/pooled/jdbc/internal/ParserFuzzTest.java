package dev.pooled.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooled.jdbc.InvalidPooledUrlException;
import dev.pooled.jdbc.internal.tx.StatementClassifierProbe;
import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 §3: a seeded fuzz over the URL / {@link Properties} parser and the statement classifier. Bounded in count
 * and in time (whichever comes first, so a loaded machine shortens it rather than failing it). The parser throws
 * nothing but {@link InvalidPooledUrlException}, never hangs, never echoes the secret, keeps its messages under
 * 2 kB with no line break, and never changes the caller's properties; the classifier never throws.
 */
@Timeout(60)
class ParserFuzzTest {
    static final String SECRET = "Zq9s3cr3tQ";
    private static final long SEED = Long.getLong("fuzz.seed", 0x9E3779B97F4A7C15L);
    private static final int CASES = 30_000;
    private static final long BUDGET_NANOS = 8_000_000_000L;

    private static final String[] HOSTILE = {"", " ", "+5", "-1", "0", "7", "9999999999999999999999", "\u0665",
        "\uff15", "\r\n", "\n", "\u0000", "\u2028", "%", "%2", "%41", "%0A", "%zz", "@", ")", "(", ";", "&", "=", ",",
        "'", "\"", "\\", "session", "transaction", "always", "true", "x".repeat(300), "é", "\ud800", "/", "?", "#"};
    private static final String[] KEYS = {"pooled.max_connections", "pooled.service", "pooled.mode", "pooled.reset",
        "pooled.timeout_ms", "pooled.priority", "pooled.db_role", "pooled.bogus", "pooled.", "user", "ssl",
        "ApplicationName", "pooled.max_queue", "pooled.budget", "pooled.budget_max", "pooled.pin_policy"};
    private static final String[] SCHEMES = {"jdbc:pooled:postgresql://", "jdbc:pooled:mysql://",
        "jdbc:pooled:mariadb://", "jdbc:pooled:", "jdbc:pooled:pooled:", "jdbc:postgresql://", "jdbc:pooled:x:",
        "jdbc:pooled:postgresql:", "", "jdbc:pooled:mysql:loadbalance://"};
    private static final String[] HOSTS = {"h", "127.0.0.1:5432", "h:3306,h2:3307", "[::1]:5432", "(host=h,port=1)",
        "address=(host=h)(port=1)", "", "h:", ":", "h:99999999999"};

    private static String pick(SplittableRandom r, String[] a) {
        return a[r.nextInt(a.length)];
    }

    private static String hostile(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            sb.append(r.nextInt(4) == 0 ? (char) r.nextInt(0x3000) : pick(r, HOSTILE));
        }
        return sb.toString();
    }

    /** @return a URL with the secret in one of the places a driver reads a password from, or none */
    private static String url(SplittableRandom r, Properties info) {
        StringBuilder u = new StringBuilder(pick(r, SCHEMES));
        int secretAt = r.nextInt(5);
        if (secretAt == 0) {
            u.append("u:").append(SECRET).append('@');
        }
        String host = pick(r, HOSTS);
        if (secretAt == 1 && host.startsWith("(")) {
            host = "(host=h,password=" + SECRET + hostile(r) + ",port=1)";
        } else if (secretAt == 1 && host.startsWith("address")) {
            host = "address=(host=h)(password=" + SECRET + hostile(r) + ")";
        }
        u.append(host).append(r.nextBoolean() ? "/db" : "/" + hostile(r));
        int params = r.nextInt(6);
        for (int i = 0; i < params; i++) {
            u.append(i == 0 ? '?' : '&');
            if (secretAt == 2 && i == params - 1) {
                u.append(r.nextBoolean() ? "password=" : "sslpassword=").append(SECRET);
            } else {
                u.append(r.nextInt(5) == 0 ? hostile(r) : pick(r, KEYS)).append('=').append(hostile(r));
            }
        }
        if (secretAt == 3) {
            info.setProperty(r.nextBoolean() ? "password" : "pooled.password", SECRET);
        }
        if (r.nextInt(3) == 0) {
            Properties defaults = new Properties();
            defaults.setProperty(pick(r, KEYS), hostile(r));
            if (secretAt == 4) {
                defaults.setProperty("password", SECRET);
            }
            Properties withDefaults = new Properties(defaults);
            withDefaults.putAll(info);
            info.clear();
            info.putAll(withDefaults);
        }
        for (int i = r.nextInt(3); i > 0; i--) {
            info.setProperty(pick(r, KEYS), hostile(r));
        }
        return u.toString();
    }

    @Test
    void theUrlAndPropertiesParserFailsOnlyAsDocumentedAndNeverEchoesTheSecret() {
        SplittableRandom r = new SplittableRandom(SEED);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < CASES && System.nanoTime() < deadline; i++) {
            Properties info = new Properties();
            String url = url(r, info);
            Properties before = new Properties();
            before.putAll(info);
            try {
                PooledRequest req = PooledRequest.parse(url, info, null, r.nextBoolean());
                parsed++;
                assertThat(req.toString()).as("case %d: %s", i, url).doesNotContain(SECRET);
                assertThat(req.key().toString()).as("case %d", i).doesNotContain(SECRET);
                assertThat(req.redactedDelegateUrl()).as("case %d", i).doesNotContain(SECRET);
            } catch (InvalidPooledUrlException e) {
                rejected++;
                assertThat(e.getMessage()).as("case %d: %s", i, url).doesNotContain(SECRET).doesNotContain("\n")
                        .doesNotContain("\r");
                assertThat(e.getMessage().length()).as("case %d", i).isLessThan(2_000);
            }
            assertThat(info).as("case %d: the caller's properties are never changed", i).isEqualTo(before);
        }
        assertThat(parsed).as("the generator reaches the parser's success path").isPositive();
        assertThat(rejected).isPositive();
    }

    private static final String[] SQL = {"set ", "SET LOCAL ", "reset ", "select ", "begin", "commit", "rollback",
        "start transaction", " and chain", "set_config(", "\"set_config\"(", "pg_catalog.", "pg_advisory_lock(",
        "get_lock(", "'a'", "'", "\"", "`", "$$", "$a$", "$1", "--", "\n", "/*", "*/", "/*!50000 ", ";", "(", ")",
        ",", "true", "false", "@x", "@@session.", "prepare ", "declare c cursor with hold for ", "listen x",
        "create temp table t", " on commit drop", "lock tables t write", "use db", "discard all", "E'\\''", "\\",
        "into temporary ", "x", "1", " "};

    @Test
    void theStatementClassifierNeverThrowsNorHangs() {
        SplittableRandom r = new SplittableRandom(SEED ^ 0x5DEECE66DL);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int n = 0;
        for (int i = 0; i < CASES && System.nanoTime() < deadline; i++) {
            StringBuilder sql = new StringBuilder();
            for (int k = r.nextInt(12); k >= 0; k--) {
                sql.append(r.nextInt(6) == 0 ? String.valueOf((char) r.nextInt(0x250)) : pick(r, SQL));
            }
            StatementClassifierProbe.classifyBoth(sql.toString());
            n++;
        }
        String big = "select '" + "x".repeat(100_000) + "' /* " + "(".repeat(50_000);
        long t0 = System.nanoTime();
        StatementClassifierProbe.classifyBoth(big);
        assertThat(System.nanoTime() - t0).as("150 kB of SQL is classified in linear time").isLessThan(5_000_000_000L);
        assertThat(n).isPositive();
    }
}
