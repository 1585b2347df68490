package dev.pooled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PoolExtensionsTest {
    private final List<String> events = new ArrayList<>();

    private PoolExtension extension(String name, String ownedKey, int maxConnections, boolean fail) {
        return new PoolExtension() {
            @Override
            public boolean accepts(String key) {
                return key.equals(ownedKey);
            }

            @Override
            public Attachment attach(Context context) {
                events.add(name + " attach " + context.settings());
                if (fail) {
                    throw new PoolConfigException(List.of(new PoolConfigException.Violation(ownedKey, "x", "bad")));
                }
                return new Attachment() {
                    @Override
                    public PoolConfig startConfig(PoolConfig requested) {
                        return requested.toBuilder().maxConnections(maxConnections).build();
                    }

                    @Override
                    public void close() {
                        events.add(name + " close");
                    }
                };
            }
        };
    }

    @Test
    void attachesOnlyTheExtensionsWhoseSettingsThePoolNamesInOrder() {
        PoolExtensions all = PoolExtensions.of(List.of(extension("a", "a.key", 3, false),
                extension("b", "b.key", 7, false), extension("c", "c.key", 9, false)));
        assertThat(all.accepts("b.key")).isTrue();
        assertThat(all.accepts("max_connections")).isFalse();
        PoolExtensions.Attached attached = all.attach(new java.util.TreeMap<>(Map.of("a.key", "1", "b.key", "2")),
                PoolConfig.ofDefaults(),
                PhysicalConnections.UNSUPPORTED, Instrumentation.defaults());
        // b's start config is applied after a's.
        assertThat(attached.startConfig(PoolConfig.ofDefaults()).maxConnections()).isEqualTo(7);
        assertThat(attached.budgets(BudgetSource.local())).isSameAs(BudgetSource.local());
        attached.close();
        assertThat(events).containsExactly("a attach {a.key=1, b.key=2}", "b attach {a.key=1, b.key=2}", "a close",
                "b close");
        assertThat(all.attach(Map.of(), PoolConfig.ofDefaults(), PhysicalConnections.UNSUPPORTED,
                Instrumentation.defaults()).isEmpty()).isTrue();
    }

    @Test
    void aFailingAttachClosesTheOnesBeforeIt() {
        PoolExtensions all = PoolExtensions.of(List.of(extension("a", "a.key", 3, false),
                extension("b", "b.key", 7, true)));
        assertThatThrownBy(() -> all.attach(Map.of("a.key", "1", "b.key", "2"), PoolConfig.ofDefaults(),
                PhysicalConnections.UNSUPPORTED, Instrumentation.defaults()))
                .isInstanceOf(PoolConfigException.class).hasMessageContaining("b.key=x: bad");
        assertThat(events).endsWith("a close");
    }

    @Test
    void namesTheModuleThatOwnsAnUnclaimedSetting() {
        assertThat(PoolExtensions.missingModule("etcd.endpoints")).isEqualTo("dev.pooled:pooled-jdbc-etcd");
        assertThat(PoolExtensions.missingModule("instance_id")).isEqualTo("dev.pooled:pooled-jdbc-etcd");
        assertThat(PoolExtensions.missingModule("max_conections")).isNull();
        // None is installed in core's own tests.
        assertThat(PoolExtensions.installed().accepts("etcd.endpoints")).isFalse();
    }
}
