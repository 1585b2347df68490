package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooled.PoolConfig;
import dev.pooled.PoolConfigException;
import dev.pooled.SizingMode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigRecordTest {
    private static final PoolConfig BASE = PoolConfig.builder().service("orders").dbRole("app").maxConnections(10)
            .sizing(SizingMode.FIXED).build();

    private static ConfigRecord.RecordException refused(String json) {
        try {
            ConfigRecord.parse("orders", "app", json, false).applyTo(BASE);
        } catch (ConfigRecord.RecordException e) {
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void theRecordWinsOverTheUrlForWhatItNamesAndTheUrlKeepsTheRest() throws Exception {
        PoolConfig c = ConfigRecord.parse("orders", "app",
                "{\"max_connections\": 4, \"timeout_ms\": 1500, \"comment\": \"shrink for the migration\"}", false)
                .applyTo(BASE);
        assertThat(c.maxConnections()).isEqualTo(4);
        assertThat(c.timeout().toMillis()).isEqualTo(1500);
        assertThat(c.sizing()).isEqualTo(SizingMode.FIXED);
        // min_idle only followed max_connections in the URL config, so it follows the record's too.
        assertThat(c.minIdle()).isEqualTo(4);
        PoolConfig explicit = BASE.toBuilder().maxConnections(20).minIdle(3).build();
        assertThat(ConfigRecord.parse("orders", "app", "{\"max_connections\": 12}", false).applyTo(explicit)
                .minIdle()).isEqualTo(3);
    }

    @Test
    void everyKindOfBadRecordIsRefusedWithItsReason() {
        assertThat(refused("{\"max_connections\": 4").reason()).isEqualTo(ConfigRecord.Reason.BAD_JSON);
        assertThat(refused("[1, 2]").reason()).isEqualTo(ConfigRecord.Reason.BAD_JSON);
        assertThat(refused("{\"max_connections\": 4, \"max_connections\": 5}").getMessage())
                .contains("duplicate field");
        ConfigRecord.RecordException unknown = refused("{\"max_conections\": 4}");
        assertThat(unknown.reason()).isEqualTo(ConfigRecord.Reason.UNKNOWN_FIELD);
        assertThat(unknown.getMessage()).contains("max_conections").contains("known: service, db_role");
        ConfigRecord.RecordException type = refused("{\"max_connections\": \"4\", \"track_transactions\": 1}");
        assertThat(type.reason()).isEqualTo(ConfigRecord.Reason.BAD_TYPE);
        assertThat(type.getMessage()).contains("max_connections=\"4\": must be a JSON number")
                .contains("track_transactions=1: must be a JSON boolean");
        assertThat(refused("{\"max_connections\": 4.5}").reason()).isEqualTo(ConfigRecord.Reason.BAD_TYPE);
        ConfigRecord.RecordException range = refused("{\"max_connections\": 0, \"priority\": 12}");
        assertThat(range.reason()).isEqualTo(ConfigRecord.Reason.OUT_OF_RANGE);
        assertThat(range.violations()).extracting(PoolConfigException.Violation::key)
                .containsExactly("max_connections", "priority");
        ConfigRecord.RecordException mode = refused("{\"mode\": \"transaction\"}");
        assertThat(mode.reason()).isEqualTo(ConfigRecord.Reason.NOT_LIVE);
        assertThat(mode.getMessage()).contains("mode=\"transaction\": cannot change while a pool runs");
        assertThat(refused("{\"service\": \"billing\"}").getMessage()).contains("must match the record's key");
    }

    @Test
    void aPlaintextPasswordNeedsTheOperatorsConsentAndIsNeverShown() throws Exception {
        ConfigRecord.RecordException e = refused("{\"password\": \"hunter2-secret\"}");
        assertThat(e.reason()).isEqualTo(ConfigRecord.Reason.CREDENTIAL);
        assertThat(e.getMessage()).doesNotContain("hunter2-secret").contains("password_ref");
        ConfigRecord ok = ConfigRecord.parse("orders", "app", "{\"password\": \"hunter2-secret\"}", true);
        assertThat(ok.password()).isEqualTo("hunter2-secret");
        assertThat(ok.toString()).doesNotContain("hunter2-secret");
        assertThat(ok.toJson()).doesNotContain("hunter2-secret");
        assertThat(refused("{\"password_ref\": \"vault:x\"}").getMessage())
                .contains("must be env:NAME (an environment variable) or file:/absolute/path");
        ConfigRecord ref = ConfigRecord.parse("orders", "app",
                "{\"password_ref\": \"file:/run/secrets/db\", \"rotation\": 3, \"tls_files\": [\"/etc/ssl/a.pem\"]}",
                false);
        assertThat(ref.rotation()).isEqualTo(3);
        assertThat(ref.passwordRef().ref()).isEqualTo("file:/run/secrets/db");
        assertThat(refused("{\"rotation\": -1}").reason()).isEqualTo(ConfigRecord.Reason.OUT_OF_RANGE);
        assertThat(refused("{\"tls_files\": [\"relative.pem\"]}").getMessage()).contains("must be absolute paths");
    }

    @Test
    void validateUsesTheLibrarysRulesWithDefaultsForTheRest() throws Exception {
        assertThat(ConfigRecord.validate("orders", "app", "{\"max_connections\": 40}", false).settings())
                .containsEntry("max_connections", "40");
        // min_idle above max_connections: the library's own cross-field rule, not one of ours.
        assertThatThrownBy(() -> ConfigRecord.validate("orders", "app",
                "{\"max_connections\": 4, \"min_idle\": 5}", false))
                .isInstanceOfSatisfying(ConfigRecord.RecordException.class,
                        e -> assertThat(e.getMessage()).contains("min_idle=5"));
    }
}
