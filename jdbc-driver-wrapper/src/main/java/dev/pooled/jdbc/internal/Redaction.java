package dev.pooled.jdbc.internal;

import java.util.Locale;

/** Keeps secrets out of text that may be logged: keys, messages, {@code toString()}. */
public final class Redaction {
    /** What a secret value is shown as. */
    public static final String MASK = "***";

    private Redaction() {
    }

    /**
     * @param name a URL parameter or property name
     * @return whether its value must never be shown (password, secret, token, credential, key material)
     */
    public static boolean isSecretName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("password") || n.contains("passwd") || n.equals("pwd") || n.contains("secret")
                || n.contains("token") || n.contains("credential") || n.equals("sslkey") || n.contains("privatekey");
    }

    /**
     * @param url a JDBC URL, with or without the {@code jdbc:pooled:} prefix
     * @return the URL with the values of secret parameters and any {@code user:password@} authority masked
     */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String s = url;
        int scheme = s.indexOf("//");
        if (scheme >= 0) {
            int end = firstOf(s, scheme + 2, "/?;");
            int at = s.lastIndexOf('@', end - 1);
            if (at > scheme) {
                s = s.substring(0, scheme + 2) + MASK + s.substring(at);
            }
        }
        int q = s.indexOf('?');
        if (q < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length()).append(s, 0, q + 1);
        String[] params = s.substring(q + 1).split("&", -1);
        for (int i = 0; i < params.length; i++) {
            if (i > 0) {
                out.append('&');
            }
            String p = params[i];
            int eq = p.indexOf('=');
            String name = eq < 0 ? p : p.substring(0, eq);
            if (eq >= 0 && isSecretName(UrlParams.decode(name))) {
                out.append(name).append('=').append(MASK);
            } else {
                out.append(p);
            }
        }
        return out.toString();
    }

    private static int firstOf(String s, int from, String chars) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }
}
