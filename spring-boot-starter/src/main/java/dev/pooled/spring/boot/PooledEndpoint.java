package dev.pooled.spring.boot;

import dev.pooled.jdbc.PooledDataSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The actuator endpoint {@code pooled}: {@code GET /actuator/pooled} lists every pooled data source by bean name with
 * its figures ({@code PoolStats}) and settings; {@code GET /actuator/pooled/{name}} shows one; {@code POST
 * /actuator/pooled/{name}} with {@code {"action": "pause" | "resume" | "soft-evict"}} acts on one and returns its
 * figures after. Expose it with {@code management.endpoints.web.exposure.include=pooled}; it is secured as the
 * application secures its actuator endpoints, and {@code management.endpoint.pooled.access=read-only} turns the
 * write operation off. Never shows a URL, user or password. Thread-safe.
 *
 * @since 0.1.0
 */
@Endpoint(id = "pooled")
public final class PooledEndpoint {
    private final Supplier<Map<String, PooledDataSource>> pools;

    /** @param pools the pooled data sources by bean name, looked up on each call */
    public PooledEndpoint(Supplier<Map<String, PooledDataSource>> pools) {
        this.pools = pools;
    }

    /** @return {@code {"pools": {name: figures}}} */
    @ReadOperation
    public Map<String, Object> pools() {
        Map<String, Object> each = new LinkedHashMap<>();
        pools.get().forEach((name, ds) -> each.put(name, PoolSnapshots.full(ds)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pools", each);
        return body;
    }

    /**
     * @param name a data source's bean name
     * @return its figures, or {@code null} (404) when there is no such pooled data source
     */
    @ReadOperation
    public Map<String, Object> pool(@Selector String name) {
        PooledDataSource ds = pools.get().get(name);
        return ds == null ? null : PoolSnapshots.full(ds);
    }

    /**
     * @param name a data source's bean name
     * @param action {@code pause} (admit nobody; callers queue and time out), {@code resume}, or {@code soft-evict}
     *        (replace idle connections now and borrowed ones when they return)
     * @return the figures after the action, or {@code null} (404) when there is no such pooled data source
     * @throws InvalidEndpointRequestException (400) for another action
     */
    @WriteOperation
    public Map<String, Object> act(@Selector String name, String action) {
        PooledDataSource ds = pools.get().get(name);
        if (ds == null) {
            return null;
        }
        switch (action == null ? "" : action) {
            case "pause" -> ds.pool().pause();
            case "resume" -> ds.pool().resume();
            case "soft-evict" -> ds.pool().softEvictIdle();
            default -> throw new InvalidEndpointRequestException("action must be pause, resume or soft-evict but was "
                    + action, "action must be pause, resume or soft-evict");
        }
        return PoolSnapshots.full(ds);
    }
}
