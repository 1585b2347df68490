package dev.pooled.jdbc.internal;

/**
 * Which pool serves a request: one per (delegate URL, user, service). The URL is the redacted one, so a key never
 * holds a password.
 *
 * @param url the delegate URL without credentials, secret parameters masked
 * @param user the database user, empty when none was given
 * @param service the service name
 */
public record PoolKey(String url, String user, String service) {
}
