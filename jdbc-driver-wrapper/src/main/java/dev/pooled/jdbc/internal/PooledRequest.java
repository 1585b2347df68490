package dev.pooled.jdbc.internal;

import dev.pooled.ErrorCode;
import dev.pooled.PoolConfig;
import dev.pooled.PoolConfigException;
import dev.pooled.jdbc.InvalidPooledUrlException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One {@code jdbc:pooled:} request taken apart: the URL and properties the delegate driver gets, the credentials,
 * and the pool settings. Settings come from URL parameters, then {@link Properties}, then programmatic overrides;
 * a later source wins. {@code user} and {@code password} are moved out of the URL into the delegate's properties,
 * so the URL that keys a pool never holds a password.
 */
public final class PooledRequest {
    /** The prefix this library's driver accepts. */
    public static final String PREFIX = "jdbc:pooled:";
    /** Pool settings carry this prefix in URLs and {@link Properties}. */
    public static final String KEY_PREFIX = "pooled.";

    private final String delegateUrl;
    private final String redactedDelegateUrl;
    private final Properties connectProperties;
    private final String user;
    private final String password;
    private final PoolConfig config;
    /** Settings owned by a {@link dev.pooled.PoolExtension} (such as {@code etcd.endpoints}), without the prefix. */
    private final Map<String, String> extensionSettings;

    private PooledRequest(String delegateUrl, Properties connectProperties, String user, String password,
            PoolConfig config, Map<String, String> extensionSettings) {
        this.delegateUrl = delegateUrl;
        this.redactedDelegateUrl = Redaction.url(delegateUrl);
        this.connectProperties = connectProperties;
        this.user = user;
        this.password = password;
        this.config = config;
        this.extensionSettings = java.util.Collections.unmodifiableMap(extensionSettings);
    }

    /**
     * @param url {@code jdbc:pooled:<rest>}, or (with {@code allowPlain}) a plain {@code jdbc:<rest>} URL
     * @param info properties as passed to {@code Driver.connect}; read, never changed; may be {@code null}
     * @param overrides settings by external name (with or without {@code pooled.}) that win over both
     * @param allowPlain whether a URL without the {@code jdbc:pooled:} prefix is accepted
     * @return the request
     * @throws InvalidPooledUrlException naming every bad setting at once
     */
    public static PooledRequest parse(String url, Properties info, Map<String, String> overrides, boolean allowPlain)
            throws InvalidPooledUrlException {
        String rest;
        if (url != null && url.startsWith(PREFIX)) {
            rest = url.substring(PREFIX.length());
        } else if (allowPlain && url != null && url.startsWith("jdbc:")) {
            rest = url.substring("jdbc:".length());
        } else {
            throw new InvalidPooledUrlException("URL must start with " + PREFIX + " followed by a driver's URL without"
                    + " its jdbc: (for example jdbc:pooled:postgresql://host:5432/db) but was "
                    + Redaction.forMessage(url), ErrorCode.INVALID_CONFIG, null);
        }
        if (rest.isEmpty() || rest.indexOf(':') <= 0 || rest.startsWith("pooled:")) {
            throw new InvalidPooledUrlException("after " + PREFIX + " must come a driver's URL without its jdbc:"
                    + " (for example postgresql://host:5432/db or mysql://host:3306/db) but was "
                    + Redaction.forMessage(url), ErrorCode.INVALID_CONFIG, null);
        }
        String delegate = "jdbc:" + rest;
        Map<String, String> settings = new LinkedHashMap<>();
        String urlUser = null;
        String urlPassword = null;

        List<String> duplicates = new ArrayList<>();
        // user[:password]@ in the authority (MySQL Connector/J accepts it) moves to properties.
        int slashes = delegate.indexOf("//");
        if (slashes >= 0) {
            int end = Redaction.authorityEnd(delegate, slashes + 2);
            int at = delegate.lastIndexOf('@', end - 1);
            String userInfo = at > slashes ? delegate.substring(slashes + 2, at) : null;
            // An @ inside a key-value host form ((host=…,password=p@ss) or address=(…)) is part of a value there,
            // not the end of user:password@: such a URL goes to the driver as given.
            if (userInfo != null && userInfo.indexOf('(') < 0 && userInfo.indexOf('=') < 0) {
                int colon = userInfo.indexOf(':');
                urlUser = UrlParams.decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
                urlPassword = colon < 0 ? null : UrlParams.decode(userInfo.substring(colon + 1));
                delegate = delegate.substring(0, slashes + 2) + delegate.substring(at + 1);
            }
        }

        int q = delegate.indexOf('?');
        if (q >= 0) {
            List<String> kept = new ArrayList<>();
            for (String param : delegate.substring(q + 1).split("&")) {
                if (param.isEmpty()) {
                    continue;
                }
                int eq = param.indexOf('=');
                String name = UrlParams.decode(eq < 0 ? param : param.substring(0, eq));
                String value = eq < 0 ? "" : UrlParams.decode(param.substring(eq + 1));
                if (name.startsWith(KEY_PREFIX)) {
                    String key = name.substring(KEY_PREFIX.length());
                    String before = settings.put(key, value);
                    if (before != null && !before.equals(value)) {
                        duplicates.add(Redaction.isSecretName(key)
                                ? Redaction.value(name) + " is given twice in the URL with different values (not shown)"
                                : Redaction.value(name) + " is given twice in the URL with different values: "
                                        + Redaction.value(before) + " and " + Redaction.value(value));
                    }
                } else if (name.equals("user")) {
                    if (urlUser != null && !urlUser.equals(value)) {
                        duplicates.add("user is given twice in the URL with different values: "
                                + Redaction.value(urlUser) + " and " + Redaction.value(value));
                    }
                    urlUser = value;
                } else if (name.equals("password")) {
                    if (urlPassword != null && !urlPassword.equals(value)) {
                        duplicates.add("password is given twice in the URL with different values (not shown)");
                    }
                    urlPassword = value;
                } else {
                    kept.add(param);
                }
            }
            delegate = delegate.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        }

        if (!duplicates.isEmpty()) {
            throw new InvalidPooledUrlException("invalid URL " + Redaction.forMessage(url) + ": "
                    + String.join("; ", duplicates) + "; give each setting once (a property given in Properties"
                    + " wins over the URL's)", ErrorCode.INVALID_CONFIG, null);
        }
        Properties connect = new Properties();
        String user = urlUser;
        String password = urlPassword;
        if (info != null) {
            for (String name : info.stringPropertyNames()) {
                String value = info.getProperty(name);
                if (name.startsWith(KEY_PREFIX)) {
                    settings.put(name.substring(KEY_PREFIX.length()), value);
                } else if (name.equals("user")) {
                    user = value;
                } else if (name.equals("password")) {
                    password = value;
                } else {
                    connect.setProperty(name, value);
                }
            }
        }
        if (overrides != null) {
            for (Map.Entry<String, String> e : overrides.entrySet()) {
                String k = e.getKey().startsWith(KEY_PREFIX) ? e.getKey().substring(KEY_PREFIX.length()) : e.getKey();
                settings.put(k, e.getValue());
            }
        }
        if (user != null) {
            connect.setProperty("user", user);
        }
        if (password != null) {
            connect.setProperty("password", password);
        }

        PoolConfig.Builder b = PoolConfig.builder();
        boolean roleFromUser = !settings.containsKey(PoolConfig.DB_ROLE) && user != null && !user.isEmpty();
        if (roleFromUser) {
            b.dbRole(user);
        }
        Map<String, String> extension = new java.util.TreeMap<>();
        List<String> missing = new ArrayList<>();
        dev.pooled.PoolExtensions extensions = dev.pooled.PoolExtensions.installed();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String k = e.getKey();
            if (PoolConfig.KEYS.contains(k)) {
                b.set(k, e.getValue());
            } else if (extensions.accepts(k)) {
                extension.put(k, e.getValue());
            } else if (dev.pooled.PoolExtensions.missingModule(k) != null) {
                missing.add(Redaction.value(KEY_PREFIX + k) + (extensions.accepts("etcd.endpoints")
                        ? " is not a setting of " + dev.pooled.PoolExtensions.missingModule(k) + " (docs/etcd.md lists"
                                + " them)"
                        : " needs " + dev.pooled.PoolExtensions.missingModule(k) + " on the class path"));
            } else {
                b.set(k, e.getValue());
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidPooledUrlException("invalid pool settings for " + Redaction.forMessage(url) + ": "
                    + String.join("; ", missing), ErrorCode.INVALID_CONFIG, null);
        }
        PoolConfig config;
        try {
            config = b.build();
        } catch (PoolConfigException e) {
            String hint = roleFromUser && e.violations().stream().anyMatch(v -> v.key().equals(PoolConfig.DB_ROLE))
                    ? " (pooled.db_role defaults to the user name; set pooled.db_role explicitly)" : "";
            throw new InvalidPooledUrlException("invalid pool settings for " + Redaction.forMessage(url) + ": "
                    + e.describe(KEY_PREFIX) + hint, ErrorCode.INVALID_CONFIG, null);
        }
        return new PooledRequest(delegate, connect, user, password, config, extension);
    }

    /** @return the URL for the delegate driver, without user, password or pool settings */
    public String delegateUrl() {
        return delegateUrl;
    }

    /** @return {@link #delegateUrl()} with any remaining secret parameter masked; safe to show */
    public String redactedDelegateUrl() {
        return redactedDelegateUrl;
    }

    /** @return a private copy of the properties for the delegate driver, with user and password */
    public Properties connectProperties() {
        Properties p = new Properties();
        p.putAll(connectProperties);
        return p;
    }

    /** @return the delegate properties without user and password, to compare two requests; never shown */
    public Map<String, String> connectionSettings() {
        Map<String, String> m = new java.util.TreeMap<>();
        for (String name : connectProperties.stringPropertyNames()) {
            if (!name.equals("user") && !name.equals("password")) {
                m.put(name, connectProperties.getProperty(name));
            }
        }
        return m;
    }

    /** @return the database user, or {@code null} when none was given (the driver then picks its default) */
    public String user() {
        return user;
    }

    /** @return the password, or {@code null}; never log or show it */
    public String password() {
        return password;
    }

    /** @return the pool settings */
    public PoolConfig config() {
        return config;
    }

    /**
     * @return settings owned by an installed {@link dev.pooled.PoolExtension} (names without {@code pooled.}); may
     *         hold secrets ({@code etcd.password}): never shown
     */
    public Map<String, String> extensionSettings() {
        return extensionSettings;
    }

    /** @return the key of the pool that serves this request */
    public PoolKey key() {
        return new PoolKey(redactedDelegateUrl, user == null ? "" : user, config.service());
    }

    @Override
    public String toString() {
        return "PooledRequest[" + Redaction.forMessage(redactedDelegateUrl) + ", user=" + Redaction.value(user) + ", "
                + config + "]";
    }
}
