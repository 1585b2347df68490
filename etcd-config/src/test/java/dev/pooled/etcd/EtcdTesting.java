package dev.pooled.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Test helpers for the shared etcd at 127.0.0.1:2379: a fresh namespace per test, so tests never see each other. */
public final class EtcdTesting {
    /** The shared etcd that scripts/test.sh starts; overridable with -Dpooled.test.etcd. */
    public static final String ENDPOINT = System.getProperty("pooled.test.etcd", "http://127.0.0.1:2379");

    private EtcdTesting() {
    }

    /** @return a namespace no other test uses */
    public static String freshNamespace() {
        return "/test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static EtcdSettings settings(String namespace) {
        return EtcdSettings.builder().endpoints(ENDPOINT).namespace(namespace).timeout(java.time.Duration.ofSeconds(5))
                .build();
    }

    public static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** @return the value of a key, or {@code null} */
    public static String get(Client c, String key) throws Exception {
        List<KeyValue> kvs = c.getKVClient().get(bytes(key)).get(5, TimeUnit.SECONDS).getKvs();
        return kvs.isEmpty() ? null : kvs.get(0).getValue().toString(StandardCharsets.UTF_8);
    }

    /** Puts a key, retrying for up to 30 s while the client reconnects (after a test restarted its etcd). */
    public static long put(Client c, String key, String value) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return c.getKVClient().put(bytes(key), bytes(value)).get(5, TimeUnit.SECONDS).getHeader()
                        .getRevision();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Deletes every key under a namespace. */
    public static void wipe(Client c, String namespace) throws Exception {
        c.getKVClient().delete(bytes(namespace + "/"), io.etcd.jetcd.options.DeleteOption.builder()
                .isPrefix(true).build()).get(5, TimeUnit.SECONDS);
    }

    public static long count(Client c, String prefix) throws Exception {
        return c.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())
                .get(5, TimeUnit.SECONDS).getCount();
    }
}
