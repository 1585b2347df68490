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
        String s = url;
        int from = 0;
        int scheme = s.indexOf("//");
        if (scheme >= 0) {
            int start = scheme + 2;
            int end = authorityEnd(s, start);
            // A secret key inside a key-value host form masks the rest of the authority: its value may hold
            // ) , = or @. Then user:password@ before it (or before the host) is masked too.
            int secret = secretInAuthority(s, start, end);
            if (secret >= 0) {
                s = s.substring(0, secret) + MASK + s.substring(end);
                end = secret + MASK.length();
            }
            int at = s.lastIndexOf('@', (secret >= 0 ? secret : end) - 1);
            if (at >= start) {
                s = s.substring(0, start) + MASK + s.substring(at);
                end = end - (at - start) + MASK.length();
            }
            from = end;
        }
        int i = from;
        while (i < s.length()) {
            char sep = s.charAt(i);
            if (sep == '?' || sep == '&' || sep == ';') {
                int nameEnd = i + 1;
                while (nameEnd < s.length() && "=&;#".indexOf(s.charAt(nameEnd)) < 0) {
                    nameEnd++;
                }
                if (nameEnd < s.length() && s.charAt(nameEnd) == '='
                        && isSecretName(UrlParams.decode(s.substring(i + 1, nameEnd)))) {
                    int valueEnd = nameEnd + 1;
                    String stops = sep == ';' ? ";" : "&";
                    while (valueEnd < s.length() && stops.indexOf(s.charAt(valueEnd)) < 0) {
                        valueEnd++;
                    }
                    s = s.substring(0, nameEnd + 1) + MASK + s.substring(valueEnd);
                    i = nameEnd + 1 + MASK.length();
                    continue;
                }
                i = nameEnd;
                continue;
            }
            i++;
        }
        return s;
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

    /** @return where the value of the first secret-named key inside the authority starts, or -1 */
    private static int secretInAuthority(String s, int start, int end) {
        for (int i = start; i < end; i++) {
            if (s.charAt(i) == '=') {
                int k = i;
                while (k > start && "(,;&".indexOf(s.charAt(k - 1)) < 0) {
                    k--;
                }
                if (isSecretName(UrlParams.decode(s.substring(k, i)).trim())) {
                    return i + 1;
                }
            }
        }
        return -1;
    }
}
