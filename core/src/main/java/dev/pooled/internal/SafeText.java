package dev.pooled.internal;

/**
 * Makes untrusted text safe to put into an exception message or a log line: bounded in length and with every
 * control character escaped, so that a hostile value can neither flood a log nor forge a line of it (a CR/LF in a
 * URL parameter must not start a new log record).
 */
public final class SafeText {
    /** The most characters of one value an error message quotes. */
    public static final int MAX_VALUE_CHARS = 64;
    /** The most characters of a URL an error message quotes. */
    public static final int MAX_URL_CHARS = 256;

    private SafeText() {
    }

    /**
     * @param s any text, or {@code null}
     * @return {@code s} with control characters escaped and cut after {@link #MAX_VALUE_CHARS} characters (then
     *         {@code …}); {@code null} stays {@code null}
     */
    public static String value(String s) {
        return bounded(s, MAX_VALUE_CHARS);
    }

    /**
     * @param s any text, or {@code null}
     * @param max the most characters of {@code s} to keep
     * @return {@code s} with control characters (C0, DEL, C1, line and paragraph separators) escaped as {@code \n},
     *         {@code \r}, {@code \t} or {@code \}{@code uXXXX}, cut after {@code max} characters of input (then
     *         {@code …} and the full length)
     */
    public static String bounded(String s, int max) {
        if (s == null) {
            return null;
        }
        int n = Math.min(s.length(), max);
        StringBuilder out = null;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (unsafe(c)) {
                if (out == null) {
                    out = new StringBuilder(n + 16).append(s, 0, i);
                }
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> out.append(String.format("\\u%04x", (int) c));
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        if (s.length() <= max) {
            return out == null ? s : out.toString();
        }
        if (out == null) {
            out = new StringBuilder(n + 24).append(s, 0, n);
        }
        return out.append("…(").append(s.length()).append(" chars)").toString();
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029'
               ;
    }
}
