package dev.pooled.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooled.jdbc.InvalidPooledUrlException;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 9 §2-§3: every URL form's secret masked; hostile input refused with a bounded, escaped message. */
@Timeout(30)
class HostileInputTest {
    static final String PW = "Pw@x);&%41z";
    /** {@link #PW} percent-encoded, as it must be written inside a URL. */
    static final String PW_ENC = "Pw%40x%29%3B%26%2541z";

    /** Every URL form the delegate drivers accept a password in. */
    static List<String> secretUrls() {
        return List.of(
                "jdbc:pooled:postgresql://127.0.0.1:5432/test?user=postgres&password=" + PW_ENC,
                "jdbc:pooled:postgresql://127.0.0.1:5432/test?sslpassword=" + PW_ENC + "&user=postgres",
                "jdbc:pooled:mysql://pooled_it:" + PW_ENC + "@127.0.0.1:3306/test",
                "jdbc:pooled:mysql://pooled_it:" + PW + "@127.0.0.1:3306/test",
                "jdbc:pooled:mysql://(host=127.0.0.1,port=3306,user=pooled_it,password=" + PW + ")/test",
                "jdbc:pooled:mysql://address=(host=127.0.0.1)(port=3306)(user=pooled_it)(password=" + PW + ")/test",
                "jdbc:pooled:mysql://127.0.0.1:3306/test?user=pooled_it&password=" + PW_ENC,
                "jdbc:pooled:other://h;user=a;password=" + PW_ENC + ";databaseName=x",
                "jdbc:pooled:mysql:u:" + PW_ENC + "@h/db");
    }

    static void assertNoSecret(String text) {
        assertThat(text).doesNotContain(PW).doesNotContain(PW_ENC).doesNotContain("Pw@x").doesNotContain("Pw%40x")
                .doesNotContain("41z");
    }

    @Test
    void everyUrlFormIsMaskedAndTheUsedUrlIsNotMangled() throws Exception {
        for (String url : secretUrls()) {
            assertNoSecret(Redaction.url(url));
            assertNoSecret(Redaction.forMessage(url));
        }
        assertThat(Redaction.url("jdbc:mysql://(host=a,port=3306,user=u,password=p)w)/db?x=1"))
                .isEqualTo("jdbc:mysql://(host=a,port=3306,user=u,password=***/db?x=1");
        PooledRequest r = PooledRequest.parse("jdbc:pooled:mysql://u:" + PW_ENC + "@h:3306/db?useSSL=false", null,
                null, false);
        assertThat(r.delegateUrl()).isEqualTo("jdbc:mysql://h:3306/db?useSSL=false");
        assertThat(r.connectProperties()).containsEntry("password", PW).containsEntry("user", "u");
        PooledRequest kv = PooledRequest.parse("jdbc:pooled:mysql://(host=h,port=3306,user=u,password=" + PW
                + ")/db", null, null, false);
        assertThat(kv.delegateUrl()).as("key-value forms reach the driver as given")
                .isEqualTo("jdbc:mysql://(host=h,port=3306,user=u,password=" + PW + ")/db");
        assertNoSecret(kv.toString());
        assertNoSecret(kv.key().toString());
    }

    @Test
    void aPasswordGivenAsAPooledSettingIsNeverEchoed() {
        Properties info = new Properties();
        info.setProperty("pooled.password", PW);
        assertThatThrownBy(() -> PooledRequest.parse("jdbc:pooled:postgresql://h/db?pooled.secret=" + PW_ENC, info,
                null, false)).isInstanceOfSatisfying(InvalidPooledUrlException.class, e -> {
                    assertNoSecret(e.getMessage());
                    assertThat(e.getMessage()).contains("pooled.password=***", "pooled.secret=***");
                });
    }

    @Test
    void aPooledKeyGivenTwiceInTheUrlWithDifferentValuesNamesBoth() throws Exception {
        assertThatThrownBy(() -> PooledRequest.parse("jdbc:pooled:postgresql://h/db?pooled.max_connections=3"
                + "&pooled.max_connections=30", null, null, false))
                .isInstanceOf(InvalidPooledUrlException.class)
                .hasMessageContaining("pooled.max_connections is given twice in the URL with different values: 3 and 30");
        assertThatThrownBy(() -> PooledRequest.parse("jdbc:pooled:postgresql://h/db?user=a&user=b", null, null,
                false)).hasMessageContaining("user is given twice in the URL with different values: a and b");
        assertThatThrownBy(() -> PooledRequest.parse("jdbc:pooled:mysql://u:one@h/db?password=two", null, null,
                false)).hasMessageContaining("password is given twice in the URL with different values (not shown)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("one").doesNotContain("two"));
        assertThat(PooledRequest.parse("jdbc:pooled:postgresql://h/db?pooled.max_connections=3"
                + "&pooled.max_connections=3", null, null, false).config().maxConnections())
                .as("the same value twice is no conflict").isEqualTo(3);
        Properties info = new Properties();
        info.setProperty("pooled.max_connections", "4");
        assertThat(PooledRequest.parse("jdbc:pooled:postgresql://h/db?pooled.max_connections=3", info, null, false)
                .config().maxConnections()).as("across sources, Properties win over the URL").isEqualTo(4);
    }

    @Test
    void aHugeUrlAndControlCharactersGiveAShortSafeMessage() {
        String huge = "jdbc:pooled:postgresql://h/db?pooled.service=" + "s".repeat(100_000) + "&pooled.x"
                + "y".repeat(50_000) + "=1&pooled.timeout_ms=" + "9".repeat(50_000);
        assertThatThrownBy(() -> PooledRequest.parse(huge, null, null, false)).satisfies(e -> {
            assertThat(e.getMessage().length()).isLessThan(2_000);
            assertThat(e.getMessage()).contains("pooled.service=sss", "…(");
        });
        assertThatThrownBy(() -> PooledRequest.parse("jdbc:pooled:postgresql://h/db?pooled.mode=x%0D%0A"
                + "2026-12-01%20ERROR%20forged&pooled.service=a%0Ab", null, null, false)).satisfies(e -> {
                    assertThat(e.getMessage()).doesNotContain("\r").doesNotContain("\n")
                            .contains("pooled.mode=x\\r\\n2026-12-01 ERROR forged");
                });
        assertThatThrownBy(() -> PooledRequest.parse("jdbc:pooled:postgre\nsql//" + "h".repeat(200_000), null,
                null, false)).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(2_000));
    }
}
