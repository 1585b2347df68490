package dev.pooled.etcd;

import dev.pooled.PoolConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Who this instance is in the fleet: {@code pooled.instance_id}, by default the host name and the process id
 * ({@code web-7-12345}). It names the instance's lease-bound key and decides, by a stable hash, whether a staged
 * rollout reaches it. Immutable.
 *
 * @param value the id, 1 to 128 characters from A-Z a-z 0-9 . _ @ + -
 * @since 0.1.0
 */
public record InstanceId(String value) {
    /** The setting name (in URLs and {@link java.util.Properties}: {@code pooled.instance_id}). */
    public static final String KEY = "instance_id";
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9._@+-]{1,128}");

    /**
     * @throws PoolConfigException if {@code value} breaks the rule
     */
    public InstanceId {
        if (value == null || !RULE.matcher(value).matches()) {
            throw new PoolConfigException(List.of(new PoolConfigException.Violation(KEY, value,
                    "must be 1 to 128 characters from A-Z a-z 0-9 . _ @ + -")));
        }
    }

    /**
     * @param settings external names to values (with or without {@code pooled.})
     * @return {@code instance_id} from the settings, else {@link #ofHost()}
     * @throws PoolConfigException if the given id breaks the rule
     */
    public static InstanceId from(Map<String, String> settings) {
        String v = settings.get(KEY);
        if (v == null) {
            v = settings.get("pooled." + KEY);
        }
        return v == null ? ofHost() : new InstanceId(v.trim());
    }

    /** @return the host name and this process's id, characters outside the rule replaced by {@code -} */
    public static InstanceId ofHost() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "host");
        }
        String cleaned = host.replaceAll("[^A-Za-z0-9._@+-]", "-");
        String pid = Long.toString(ProcessHandle.current().pid());
        int room = 128 - pid.length() - 1;
        if (cleaned.length() > room) {
            cleaned = cleaned.substring(0, room);
        }
        return new InstanceId((cleaned.isEmpty() ? "host" : cleaned) + "-" + pid);
    }

    /**
     * The instance's rollout bucket: the first four bytes of SHA-256 of the id's UTF-8 bytes, as an unsigned
     * big-endian number, modulo 100. The same id gets the same bucket in every process and every tool.
     *
     * @return 0 to 99
     */
    public int bucket() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            long n = ((d[0] & 0xFFL) << 24) | ((d[1] & 0xFFL) << 16) | ((d[2] & 0xFFL) << 8) | (d[3] & 0xFFL);
            return (int) (n % 100);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param percent 0 to 100
     * @return whether a rollout staged at {@code percent} reaches this instance: {@code bucket() < percent}
     */
    public boolean inStage(int percent) {
        return bucket() < percent;
    }

    @Override
    public String toString() {
        return value;
    }
}
