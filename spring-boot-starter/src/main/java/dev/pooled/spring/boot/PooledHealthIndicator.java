package dev.pooled.spring.boot;

import dev.pooled.ConnectionPool;
import dev.pooled.PoolConfig;
import dev.pooled.PoolStats;
import dev.pooled.jdbc.PooledDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The health of one pool: {@code OUT_OF_SERVICE} while it is paused or closed, {@code DOWN} while its circuit breaker
 * is open or when it cannot give a connection that the database answers on, else {@code UP}. Details: pool, service,
 * db role, mode, limit, in use, queue depth, breaker state, budget share, config version (and the rest of
 * {@code docs/spring-boot.md}'s list) — never a URL, user or password.
 *
 * <p>The check borrows a physical connection at the highest priority and asks the driver whether it is valid; it
 * does not borrow while every permit is in use (a saturated pool evidently connects, and the check must not queue
 * behind real work). Thread-safe.
 *
 * @since 0.1.0
 */
public final class PooledHealthIndicator implements HealthIndicator {
    /** Seconds {@link Connection#isValid(int)} may take. */
    private static final int VALID_TIMEOUT_SECONDS = 2;

    private final PooledDataSource dataSource;

    /** @param dataSource the pool to check */
    public PooledHealthIndicator(PooledDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Health health() {
        ConnectionPool pool = dataSource.pool();
        PoolStats s = pool.stats();
        Health.Builder h = new Health.Builder().withDetails(PoolSnapshots.health(s));
        if (pool.isClosed()) {
            return h.status(Status.OUT_OF_SERVICE).withDetail("reason", "closed").build();
        }
        if (s.paused()) {
            return h.status(Status.OUT_OF_SERVICE).withDetail("reason", "paused").build();
        }
        if ("open".equals(s.breakerState())) {
            return h.down().withDetail("reason", "circuit breaker open").build();
        }
        if (s.active() >= s.limit() && s.limit() > 0) {
            return h.up().withDetail("reason", "saturated: every permit in use, not checked").build();
        }
        try (Connection c = pool.getConnection(PoolConfig.MAX_PRIORITY)) {
            if (c.isValid(VALID_TIMEOUT_SECONDS)) {
                return h.up().build();
            }
            return h.down().withDetail("reason", "the driver reported the connection invalid").build();
        } catch (SQLException e) {
            return h.down().withDetail("reason", "cannot connect").withDetail("sqlState", String.valueOf(e.getSQLState()))
                    .withDetail("error", e.getClass().getName() + ": " + e.getMessage()).build();
        }
    }
}
