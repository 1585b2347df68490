package dev.pooled.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooled.ErrorCode;
import dev.pooled.jdbc.InvalidPooledUrlException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PooledRequestTest {

    @Test
    void pooledParametersAndCredentialsLeaveTheDelegateUrl() throws Exception {
        PooledRequest r = PooledRequest.parse("jdbc:pooled:postgresql://h:5432/db?user=app&pooled.max_connections=3"
                + "&ssl=false&password=s3cret&pooled.service=orders", null, null, false);
        assertThat(r.delegateUrl()).isEqualTo("jdbc:postgresql://h:5432/db?ssl=false");
        assertThat(r.user()).isEqualTo("app");
        assertThat(r.config().maxConnections()).isEqualTo(3);
        assertThat(r.config().service()).isEqualTo("orders");
        assertThat(r.config().dbRole()).as("db_role defaults to the user").isEqualTo("app");
        assertThat(r.connectProperties()).containsEntry("user", "app").containsEntry("password", "s3cret");
        assertThat(r.key()).isEqualTo(new PoolKey("jdbc:postgresql://h:5432/db?ssl=false", "app", "orders"));
        assertThat(r.toString()).doesNotContain("s3cret");
    }

    @Test
    void propertiesWinOverUrlAndOverridesWinOverBoth() throws Exception {
        Properties info = new Properties();
        info.setProperty("pooled.max_connections", "5");
        info.setProperty("pooled.max_queue", "7");
        info.setProperty("user", "fromProps");
        PooledRequest r = PooledRequest.parse("jdbc:pooled:mysql://h/db?pooled.max_connections=3&user=fromUrl"
                + "&pooled.max_queue=1", info, Map.of("pooled.max_queue", "9"), false);
        assertThat(r.config().maxConnections()).isEqualTo(5);
        assertThat(r.config().maxQueue()).isEqualTo(9);
        assertThat(r.user()).isEqualTo("fromProps");
        assertThat(info).as("caller's properties untouched").hasSize(3);
    }

    @Test
    void authorityCredentialsAreMovedOutAndMasked() throws Exception {
        PooledRequest r = PooledRequest.parse("jdbc:pooled:mysql://bob:pw%40x@h:3306/db", null, null, false);
        assertThat(r.delegateUrl()).isEqualTo("jdbc:mysql://h:3306/db");
        assertThat(r.user()).isEqualTo("bob");
        assertThat(r.connectProperties()).containsEntry("password", "pw@x");
        assertThat(Redaction.url("jdbc:mysql://bob:pw@h/db?sslpassword=k&a=b")).isEqualTo(
                "jdbc:mysql://***@h/db?sslpassword=***&a=b");
    }

    @Test
    void everyBadSettingIsNamedAtOnceAndNoPasswordLeaks() {
        assertThatThrownBy(() -> PooledRequest.parse("jdbc:pooled:postgresql://h/db?password=s3cret"
                + "&pooled.max_connections=0&pooled.timeout_ms=abc&pooled.bogus=1", null, null, false))
                .isInstanceOfSatisfying(InvalidPooledUrlException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getSQLState()).isEqualTo("HY024");
                    assertThat(e.getMessage()).contains("pooled.max_connections=0: must be a whole number from 1",
                            "pooled.timeout_ms=abc", "pooled.bogus=***: is not a known setting",
                            "password=***").doesNotContain("s3cret");
                });
    }

    @Test
    void aUserNameThatIsNotAValidRoleNameAsksForAnExplicitRole() {
        assertThatThrownBy(() -> PooledRequest.parse("jdbc:pooled:postgresql://h/db?user=a%20b", null, null, false))
                .hasMessageContaining("pooled.db_role=a b").hasMessageContaining("set pooled.db_role explicitly");
    }

    @Test
    void aUrlWithoutADriverPartIsRejected() {
        assertThatThrownBy(() -> PooledRequest.parse("jdbc:pooled:", null, null, false))
                .hasMessageContaining("after jdbc:pooled: must come a driver's URL");
        assertThatThrownBy(() -> PooledRequest.parse("jdbc:pooled:pooled:postgresql://h/db", null, null, false))
                .hasMessageContaining("after jdbc:pooled: must come a driver's URL");
        assertThatThrownBy(() -> PooledRequest.parse("jdbc:postgresql://h/db", null, null, false))
                .hasMessageContaining("URL must start with jdbc:pooled:");
    }
}
