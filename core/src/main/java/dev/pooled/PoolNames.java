package dev.pooled;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Names of the pools running in this process, so that meter tags and MBean names stay unique: the first pool of a
 * (service, db_role) is {@code service/db_role}, later ones running at the same time get {@code #2}, {@code #3} ...
 * Thread-safe.
 */
final class PoolNames {
    private static final ConcurrentHashMap<String, Boolean> LIVE = new ConcurrentHashMap<>();

    private PoolNames() {
    }

    /** @return {@code base}, or {@code base#n} with the lowest n not in use; reserved until {@link #release} */
    static String claim(String base) {
        if (LIVE.putIfAbsent(base, Boolean.TRUE) == null) {
            return base;
        }
        for (int i = 2;; i++) {
            String candidate = base + "#" + i;
            if (LIVE.putIfAbsent(candidate, Boolean.TRUE) == null) {
                return candidate;
            }
        }
    }

    /** @param name a name {@link #claim} returned, free again */
    static void release(String name) {
        LIVE.remove(name);
    }
}
