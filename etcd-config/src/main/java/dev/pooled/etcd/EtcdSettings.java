package dev.pooled.etcd;

import dev.pooled.PoolConfigException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to reach etcd: endpoints, key namespace, TLS and authentication, and the deadline of every call. Immutable
 * and thread-safe. Built from the same external names everywhere ({@code pooled.etcd.endpoints} in a URL or
 * {@link java.util.Properties}, {@code etcd.endpoints} in {@link #parse(Map)}), or with {@link #builder()}.
 *
 * <p>The password never appears in {@link #toString()}, {@link #asMap()} or an exception message. It may be given
 * as a reference ({@code etcd.password_ref=env:NAME} or {@code file:/path}) so that it is not in a URL at all.
 *
 * @since 0.1.0
 */
public final class EtcdSettings {
    /** Comma-separated {@code http://host:port} or {@code https://host:port} URLs; setting this turns etcd on. */
    public static final String ENDPOINTS = "etcd.endpoints";
    /** A key prefix such as {@code /team-a}: every key of this library lives under it. Default: none. */
    public static final String NAMESPACE = "etcd.namespace";
    /** PEM file of the certificate authorities that sign etcd's server certificate (TLS). */
    public static final String CA_FILE = "etcd.ca_file";
    /** PEM client certificate file (mutual TLS); needs {@link #KEY_FILE}. */
    public static final String CERT_FILE = "etcd.cert_file";
    /** PEM PKCS#8 private key file of {@link #CERT_FILE}. */
    public static final String KEY_FILE = "etcd.key_file";
    /** etcd user (etcd's own authentication); needs a password. */
    public static final String USER = "etcd.user";
    /** etcd password; never shown. Prefer {@link #PASSWORD_REF}. */
    public static final String PASSWORD = "etcd.password";
    /** {@code env:NAME} or {@code file:/path}: where the etcd password is read from. */
    public static final String PASSWORD_REF = "etcd.password_ref";
    /** Deadline of every etcd call, in milliseconds. Default {@value #DEFAULT_TIMEOUT_MS}. */
    public static final String TIMEOUT_MS = "etcd.timeout_ms";
    /** TTL of the lease that keeps this instance's key alive, in seconds. Default {@value #DEFAULT_LEASE_TTL_S}. */
    public static final String LEASE_TTL_S = "etcd.lease_ttl_s";
    /**
     * {@code true} lets a config record carry a plaintext {@code password}; default {@code false}: such a record is
     * rejected and records must name the password with {@code password_ref}.
     */
    public static final String ALLOW_PLAINTEXT_PASSWORD = "etcd.allow_plaintext_password";

    /** Every setting name, in documentation order. */
    public static final List<String> KEYS = List.of(ENDPOINTS, NAMESPACE, CA_FILE, CERT_FILE, KEY_FILE, USER, PASSWORD,
            PASSWORD_REF, TIMEOUT_MS, LEASE_TTL_S, ALLOW_PLAINTEXT_PASSWORD);

    public static final long DEFAULT_TIMEOUT_MS = 5_000L;
    public static final long DEFAULT_LEASE_TTL_S = 10L;
    static final long MIN_TIMEOUT_MS = 100L;
    static final long MAX_TIMEOUT_MS = 600_000L;
    /** etcd clamps shorter TTLs to about 1.5 election timeouts (2 s by default). */
    static final long MIN_LEASE_TTL_S = 3L;
    static final long MAX_LEASE_TTL_S = 3_600L;
    private static final Pattern NAMESPACE_RULE = Pattern.compile("(/[A-Za-z0-9._-]+)*");

    private final List<URI> endpoints;
    private final String namespace;
    private final Path caFile;
    private final Path certFile;
    private final Path keyFile;
    private final String user;
    private final String password;
    private final Duration timeout;
    private final Duration leaseTtl;
    private final boolean allowPlaintextPassword;

    private EtcdSettings(Builder b, String password) {
        this.endpoints = List.copyOf(b.endpoints);
        this.namespace = b.namespace;
        this.caFile = b.caFile;
        this.certFile = b.certFile;
        this.keyFile = b.keyFile;
        this.user = b.user;
        this.password = password;
        this.timeout = b.timeout;
        this.leaseTtl = b.leaseTtl;
        this.allowPlaintextPassword = b.allowPlaintextPassword;
    }

    /** @return a builder with every default and no endpoint */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param key a setting name, with or without the {@code pooled.} prefix
     * @return whether it is one of {@link #KEYS} or {@link InstanceId#KEY}
     */
    public static boolean isSetting(String key) {
        String k = key.startsWith("pooled.") ? key.substring("pooled.".length()) : key;
        return KEYS.contains(k) || k.equals(InstanceId.KEY);
    }

    /**
     * Reads the settings among {@code settings} (names from {@link #KEYS}, with or without {@code pooled.}; other
     * names are ignored, so a whole URL's settings may be passed).
     *
     * @param settings external names to values
     * @return the settings
     * @throws PoolConfigException naming every bad setting, its value (never a password) and the rule
     */
    public static EtcdSettings parse(Map<String, String> settings) {
        Builder b = builder();
        List<PoolConfigException.Violation> bad = new ArrayList<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String k = e.getKey().startsWith("pooled.") ? e.getKey().substring("pooled.".length()) : e.getKey();
            String v = e.getValue() == null ? null : e.getValue().trim();
            switch (k) {
                case ENDPOINTS -> b.endpointsText = v;
                case NAMESPACE -> b.namespace(v == null ? "" : v);
                case CA_FILE -> b.caFile = v == null || v.isEmpty() ? null : Path.of(v);
                case CERT_FILE -> b.certFile = v == null || v.isEmpty() ? null : Path.of(v);
                case KEY_FILE -> b.keyFile = v == null || v.isEmpty() ? null : Path.of(v);
                case USER -> b.user = v == null || v.isEmpty() ? null : v;
                case PASSWORD -> b.password = e.getValue();
                case PASSWORD_REF -> b.passwordRef = v == null || v.isEmpty() ? null : v;
                case TIMEOUT_MS -> {
                    Long ms = parseLong(bad, k, v);
                    if (ms != null) {
                        b.timeout = Duration.ofMillis(ms);
                    }
                }
                case LEASE_TTL_S -> {
                    Long s = parseLong(bad, k, v);
                    if (s != null) {
                        b.leaseTtl = Duration.ofSeconds(s);
                    }
                }
                case ALLOW_PLAINTEXT_PASSWORD -> {
                    if ("true".equalsIgnoreCase(v) || "false".equalsIgnoreCase(v)) {
                        b.allowPlaintextPassword = Boolean.parseBoolean(v);
                    } else {
                        bad.add(new PoolConfigException.Violation(k, v, "must be true or false"));
                    }
                }
                default -> {
                    // Not an etcd setting: the caller passes everything it has.
                }
            }
        }
        return b.build(bad);
    }

    private static Long parseLong(List<PoolConfigException.Violation> bad, String key, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            bad.add(new PoolConfigException.Violation(key, v, "must be a whole number"));
            return null;
        }
    }

    /** @return the endpoints, at least one */
    public List<URI> endpoints() {
        return endpoints;
    }

    /** @return the key namespace, such as {@code /team-a}, or empty for none */
    public String namespace() {
        return namespace;
    }

    /** @return the key layout under {@link #namespace()} */
    public EtcdKeys keys() {
        return new EtcdKeys(namespace);
    }

    /** @return whether the endpoints use TLS */
    public boolean tls() {
        return endpoints.get(0).getScheme().equals("https");
    }

    /** @return the CA file, or {@code null} for the JVM's default trust */
    public Path caFile() {
        return caFile;
    }

    /** @return the client certificate file, or {@code null} */
    public Path certFile() {
        return certFile;
    }

    /** @return the client key file, or {@code null} */
    public Path keyFile() {
        return keyFile;
    }

    /** @return the etcd user, or {@code null} without authentication */
    public String user() {
        return user;
    }

    /** @return the deadline of every etcd call */
    public Duration timeout() {
        return timeout;
    }

    /** @return the TTL of the instance lease */
    public Duration leaseTtl() {
        return leaseTtl;
    }

    /** @return whether config records may carry a plaintext {@code password} */
    public boolean allowPlaintextPassword() {
        return allowPlaintextPassword;
    }

    /**
     * Builds a jetcd client. The client does not connect until its first call; calls made while etcd is down fail
     * (they are not held back until it returns), so every caller can bound its wait with {@link #timeout()}.
     *
     * @return a new client; the caller closes it
     * @throws IllegalStateException if a TLS file cannot be read (named, with the reason)
     */
    public Client newClient() {
        ClientBuilder b = Client.builder()
                .endpoints(endpoints.toArray(new URI[0]))
                .connectTimeout(timeout)
                // jetcd retries within retryMaxDuration, which must exceed the first delay: keep both inside the
                // deadline so that a call never outlives it.
                .retryDelay(Math.min(500, timeout.toMillis() / 4))
                .retryMaxDelay(Math.min(2_500, timeout.toMillis() / 2))
                .retryMaxDuration(timeout)
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(Duration.ofSeconds(5))
                // Wait-for-ready would hold every call while etcd is down; we want them to fail and be retried
                // by our own loops, which keep serving on the last good state meanwhile.
                .waitForReady(false);
        if (user != null) {
            b.user(ByteSequence.from(user, StandardCharsets.UTF_8));
            b.password(ByteSequence.from(password, StandardCharsets.UTF_8));
        }
        if (tls()) {
            try {
                SslContextBuilder ssl = GrpcSslContexts.forClient();
                if (caFile != null) {
                    ssl.trustManager(caFile.toFile());
                }
                if (certFile != null) {
                    ssl.keyManager(certFile.toFile(), keyFile.toFile());
                }
                b.sslContext(ssl.build());
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("cannot set up TLS to etcd from " + ENDPOINTS + "=" + endpointsText()
                        + " (" + CA_FILE + "=" + caFile + ", " + CERT_FILE + "=" + certFile + ", " + KEY_FILE + "="
                        + keyFile + "): " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    /** @return the endpoints as given in {@link #ENDPOINTS} */
    public String endpointsText() {
        return String.join(",", endpoints.stream().map(URI::toString).toList());
    }

    /**
     * @return every setting by external name without {@code pooled.}; the password shown as {@code ****} when set
     */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(ENDPOINTS, endpointsText());
        m.put(NAMESPACE, namespace);
        m.put(CA_FILE, caFile == null ? "" : caFile.toString());
        m.put(CERT_FILE, certFile == null ? "" : certFile.toString());
        m.put(KEY_FILE, keyFile == null ? "" : keyFile.toString());
        m.put(USER, user == null ? "" : user);
        m.put(PASSWORD, password == null ? "" : "****");
        m.put(TIMEOUT_MS, Long.toString(timeout.toMillis()));
        m.put(LEASE_TTL_S, Long.toString(leaseTtl.toSeconds()));
        m.put(ALLOW_PLAINTEXT_PASSWORD, Boolean.toString(allowPlaintextPassword));
        return m;
    }

    /** Equal settings (the password included) may share one client. */
    @Override
    public boolean equals(Object o) {
        return o instanceof EtcdSettings s && endpoints.equals(s.endpoints) && namespace.equals(s.namespace)
                && Objects.equals(caFile, s.caFile) && Objects.equals(certFile, s.certFile)
                && Objects.equals(keyFile, s.keyFile) && Objects.equals(user, s.user)
                && Objects.equals(password, s.password) && timeout.equals(s.timeout) && leaseTtl.equals(s.leaseTtl)
                && allowPlaintextPassword == s.allowPlaintextPassword;
    }

    @Override
    public int hashCode() {
        return Objects.hash(endpoints, namespace, user, timeout);
    }

    @Override
    public String toString() {
        return "EtcdSettings" + asMap();
    }

    /** Collects settings; {@link #build()} checks them all at once. Not thread-safe. */
    public static final class Builder {
        private String endpointsText;
        private final List<URI> endpoints = new ArrayList<>();
        private String namespace = "";
        private Path caFile;
        private Path certFile;
        private Path keyFile;
        private String user;
        private String password;
        private String passwordRef;
        private Duration timeout = Duration.ofMillis(DEFAULT_TIMEOUT_MS);
        private Duration leaseTtl = Duration.ofSeconds(DEFAULT_LEASE_TTL_S);
        private boolean allowPlaintextPassword;

        private Builder() {
        }

        /** @param endpoints comma-separated URLs, see {@link EtcdSettings#ENDPOINTS}; @return this */
        public Builder endpoints(String endpoints) {
            this.endpointsText = endpoints;
            return this;
        }

        /** @param namespace see {@link EtcdSettings#NAMESPACE}; @return this */
        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /** @param ca see {@link EtcdSettings#CA_FILE}; @param cert client certificate or {@code null}; @param key its
         *  key or {@code null}; @return this */
        public Builder tls(Path ca, Path cert, Path key) {
            this.caFile = ca;
            this.certFile = cert;
            this.keyFile = key;
            return this;
        }

        /** @param user etcd user; @param password its password, never shown; @return this */
        public Builder auth(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        /** @param timeout deadline of every etcd call; @return this */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** @param ttl see {@link EtcdSettings#LEASE_TTL_S}; @return this */
        public Builder leaseTtl(Duration ttl) {
            this.leaseTtl = ttl;
            return this;
        }

        /** @param allow see {@link EtcdSettings#ALLOW_PLAINTEXT_PASSWORD}; @return this */
        public Builder allowPlaintextPassword(boolean allow) {
            this.allowPlaintextPassword = allow;
            return this;
        }

        /**
         * @return the settings
         * @throws PoolConfigException naming every bad setting
         */
        public EtcdSettings build() {
            return build(new ArrayList<>());
        }

        EtcdSettings build(List<PoolConfigException.Violation> v) {
            endpoints.clear();
            if (endpointsText == null || endpointsText.isBlank()) {
                v.add(new PoolConfigException.Violation(ENDPOINTS, endpointsText,
                        "must be one or more comma-separated http://host:port or https://host:port URLs"));
            } else {
                for (String part : endpointsText.split(",")) {
                    String p = part.trim();
                    try {
                        URI u = new URI(p);
                        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
                                || u.getPort() < 1 || (u.getPath() != null && !u.getPath().isEmpty()
                                        && !u.getPath().equals("/"))) {
                            throw new URISyntaxException(p, "not http(s)://host:port");
                        }
                        endpoints.add(new URI(u.getScheme(), null, u.getHost(), u.getPort(), null, null, null));
                    } catch (URISyntaxException e) {
                        v.add(new PoolConfigException.Violation(ENDPOINTS, endpointsText, "'" + p
                                + "' is not an http://host:port or https://host:port URL (the port is required)"));
                    }
                }
                if (endpoints.stream().map(URI::getScheme).distinct().count() > 1) {
                    v.add(new PoolConfigException.Violation(ENDPOINTS, endpointsText,
                            "must be all http or all https"));
                }
            }
            if (namespace == null || !NAMESPACE_RULE.matcher(namespace).matches()) {
                v.add(new PoolConfigException.Violation(NAMESPACE, namespace,
                        "must be empty or like /team-a/prod: segments of A-Z a-z 0-9 . _ -, each after a /"));
            }
            boolean https = !endpoints.isEmpty() && endpoints.get(0).getScheme().equals("https");
            if ((caFile != null || certFile != null || keyFile != null) && !https && !endpoints.isEmpty()) {
                v.add(new PoolConfigException.Violation(CA_FILE, String.valueOf(caFile),
                        "TLS files need https:// endpoints"));
            }
            if ((certFile == null) != (keyFile == null)) {
                v.add(new PoolConfigException.Violation(certFile == null ? CERT_FILE : KEY_FILE, null,
                        "etcd.cert_file and etcd.key_file go together"));
            }
            for (Map.Entry<String, Path> f : filesByKey().entrySet()) {
                if (f.getValue() != null && !Files.isReadable(f.getValue())) {
                    v.add(new PoolConfigException.Violation(f.getKey(), f.getValue().toString(),
                            "must be a readable file"));
                }
            }
            String pw = password;
            if (passwordRef != null) {
                if (password != null) {
                    v.add(new PoolConfigException.Violation(PASSWORD_REF, passwordRef,
                            "give etcd.password or etcd.password_ref, not both"));
                } else {
                    try {
                        pw = SecretRef.parse(PASSWORD_REF, passwordRef).read();
                    } catch (PoolConfigException e) {
                        v.addAll(e.violations());
                    }
                }
            }
            if (user != null && pw == null) {
                v.add(new PoolConfigException.Violation(USER, user, "needs etcd.password or etcd.password_ref"));
            } else if (user == null && pw != null) {
                v.add(new PoolConfigException.Violation(PASSWORD, "****", "needs etcd.user"));
            }
            long ms = timeout == null ? -1 : timeout.toMillis();
            if (ms < MIN_TIMEOUT_MS || ms > MAX_TIMEOUT_MS) {
                v.add(new PoolConfigException.Violation(TIMEOUT_MS, Long.toString(ms),
                        "must be from " + MIN_TIMEOUT_MS + " to " + MAX_TIMEOUT_MS + " ms"));
            }
            long ttl = leaseTtl == null ? -1 : leaseTtl.toSeconds();
            if (ttl < MIN_LEASE_TTL_S || ttl > MAX_LEASE_TTL_S) {
                v.add(new PoolConfigException.Violation(LEASE_TTL_S, Long.toString(ttl),
                        "must be from " + MIN_LEASE_TTL_S + " to " + MAX_LEASE_TTL_S + " s"));
            }
            if (!v.isEmpty()) {
                throw new PoolConfigException(v);
            }
            return new EtcdSettings(this, pw);
        }

        private Map<String, Path> filesByKey() {
            Map<String, Path> m = new LinkedHashMap<>();
            m.put(CA_FILE, caFile);
            m.put(CERT_FILE, certFile);
            m.put(KEY_FILE, keyFile);
            return m;
        }

        @Override
        public String toString() {
            return "EtcdSettings.Builder[" + endpointsText + "]";
        }
    }
}
