package dev.pooled.etcd;

import dev.pooled.PoolConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A reference to a secret the application can read: {@code env:NAME} (an environment variable) or
 * {@code file:/path} (a file's content, without its trailing line break). Lets config records and settings name a
 * password without holding it. Immutable; {@link #toString()} shows the reference, never the secret.
 *
 * @param key the setting that holds the reference, for messages
 * @param kind {@code env} or {@code file}
 * @param name the variable name or the file path
 * @since 0.1.0
 */
public record SecretRef(String key, String kind, String name) {
    private static final String RULE = "must be env:NAME (an environment variable) or file:/absolute/path";

    /**
     * @param key the setting that holds the reference, for messages
     * @param ref {@code env:NAME} or {@code file:/path}
     * @return the reference
     * @throws PoolConfigException if {@code ref} is neither form
     */
    public static SecretRef parse(String key, String ref) {
        if (ref != null && ref.startsWith("env:") && ref.length() > 4
                && ref.substring(4).matches("[A-Za-z_][A-Za-z0-9_]*")) {
            return new SecretRef(key, "env", ref.substring(4));
        }
        if (ref != null && ref.startsWith("file:/") && ref.length() > 6) {
            return new SecretRef(key, "file", ref.substring(5));
        }
        throw new PoolConfigException(List.of(new PoolConfigException.Violation(key, ref, RULE)));
    }

    /**
     * @return the secret, read now
     * @throws PoolConfigException if the variable is unset or the file cannot be read (the reason names the file,
     *         never its content)
     */
    public String read() {
        if (kind.equals("env")) {
            String v = System.getenv(name);
            if (v == null) {
                throw new PoolConfigException(List.of(new PoolConfigException.Violation(key, ref(),
                        "names an environment variable that is not set")));
            }
            return v;
        }
        try {
            String s = Files.readString(Path.of(name), StandardCharsets.UTF_8);
            int end = s.length();
            while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
                end--;
            }
            return s.substring(0, end);
        } catch (IOException | RuntimeException e) {
            throw new PoolConfigException(List.of(new PoolConfigException.Violation(key, ref(),
                    "names a file that cannot be read (" + e.getClass().getSimpleName() + ")")));
        }
    }

    /**
     * @return a digest of the secret's current value (SHA-256, hex), to notice a change without keeping the secret;
     *         empty when it cannot be read now
     */
    public String fingerprint() {
        try {
            return digest(read());
        } catch (PoolConfigException e) {
            return "";
        }
    }

    static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the reference as written: {@code env:NAME} or {@code file:/path} */
    public String ref() {
        return kind + ":" + name;
    }

    @Override
    public String toString() {
        return ref();
    }
}
