package dev.pooled.jdbc.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Percent-decoding for URL query parameters. */
final class UrlParams {
    private UrlParams() {
    }

    static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
