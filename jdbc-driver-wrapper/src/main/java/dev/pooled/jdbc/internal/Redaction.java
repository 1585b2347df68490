package dev.pooled.jdbc.internal;

import dev.pooled.internal.SafeText;
import java.util.Locale;

/**
 * Keeps secrets out of text that may be logged: keys, messages, {@code toString()}. Masks, in every URL form the
 * delegate drivers accept: the {@code user:password@} authority (MySQL), secret-named parameters of the query
 * ({@code ?password=}, {@code &sslpassword=}) and of {@code ;}-separated parameter lists, and secret-named keys inside
 * MySQL's key-value host forms ({@code (host=…,password=…)}, {@code address=(…)(password=…)}), where everything from
 * the secret to the end of the authority is masked (a value there may itself contain {@code ) , =}). Masking only
 * ever produces text to show; the URL a driver gets is never masked.
 */
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
     * @return the URL with the values of secret parameters and any {@code user:password@} authority masked; not
     *         bounded in length (use {@link #forMessage(String)} in messages)
     */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String s = maskSecretKeys(url);
        // user:password@ before the host: everything from the "//" before the last @ ahead of the query (or from
        // the start, in a malformed URL without one) up to that @ is masked. Over-masking a path is safe.
        int query = s.length();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '?' || s.charAt(i) == '#') {
                query = i;
                break;
            }
        }
        int at = s.lastIndexOf('@', query - 1);
        if (at >= 0) {
            int slashes = s.lastIndexOf("//", at);
            int start = slashes >= 0 ? slashes + 2 : 0;
            s = s.substring(0, start) + MASK + s.substring(at);
        }
        return s;
    }

    /**
     * Masks the value of every secret-named {@code key=value} anywhere in the text, whatever the form: after
     * {@code ?} or {@code &} up to the next {@code &}; after {@code ;} up to the next {@code ;}; after {@code (} or
     * {@code ,} (MySQL key-value host forms) up to the end of the authority, since such a value may itself hold
     * {@code ) , = @}; anywhere else up to the next of {@code & ; / ? #}. Over-masking is safe; under-masking
     * is a leak.
     */
    private static String maskSecretKeys(String s) {
        StringBuilder out = null;
        int copied = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '=') {
                continue;
            }
            int k = i;
            while (k > 0 && "?&;(,:/".indexOf(s.charAt(k - 1)) < 0) {
                k--;
            }
            if (k == i || !isSecretName(UrlParams.decode(s.substring(k, i)).trim())) {
                continue;
            }
            char d = k == 0 ? 0 : s.charAt(k - 1);
            String stops = d == '?' || d == '&' ? "&#" : d == ';' ? ";" : d == '(' || d == ',' ? "/?#" : "&;/?#";
            int v = i + 1;
            while (v < s.length() && stops.indexOf(s.charAt(v)) < 0) {
                v++;
            }
            if (out == null) {
                out = new StringBuilder(s.length());
            }
            out.append(s, copied, i + 1).append(MASK);
            copied = v;
            i = v - 1;
        }
        return out == null ? s : out.append(s, copied, s.length()).toString();
    }

    /**
     * @param url a JDBC URL, or {@code null}
     * @return {@link #url(String)} bounded to {@value SafeText#MAX_URL_CHARS} characters with control characters
     *         escaped: safe to put into an exception message or a log line
     */
    public static String forMessage(String url) {
        return SafeText.bounded(url(url), SafeText.MAX_URL_CHARS);
    }

    /**
     * @param s a value given by a caller (a user name, a setting)
     * @return the value bounded and with control characters escaped, safe in a message
     */
    public static String value(String s) {
        return SafeText.value(s);
    }

    /** The authority ends where Connector/J's does: at the first {@code / ? #}. */
    static int authorityEnd(String s, int start) {
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return s.length();
    }
}
