package dev.pooled;

import dev.pooled.internal.Gate;
import dev.pooled.metrics.MetricNames;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One OpenTelemetry span per acquisition ({@link MetricNames#SPAN_ACQUIRE}), with the pool's attributes, the queue
 * position on arrival, the outcome and the wait. Only pools with a tracer have one; the others pay nothing.
 */
final class AcquireTracing {
    private final Tracer tracer;
    private final ConnectionPool pool;
    private final AcquirePath path;
    private final Gate gate;
    private final String name;

    AcquireTracing(Tracer tracer, ConnectionPool pool, AcquirePath path, Gate gate, String name) {
        this.tracer = tracer;
        this.pool = pool;
        this.path = path;
        this.gate = gate;
        this.name = name;
    }

    /** @return {@link AcquirePath#acquire(int)} inside a span */
    Connection traced(int priority) throws SQLException {
        PoolConfig config = pool.settings().config;
        Span span = tracer.spanBuilder(MetricNames.SPAN_ACQUIRE).setAttribute(MetricNames.ATTR_POOL_NAME, name)
                .setAttribute(MetricNames.ATTR_SERVICE, config.service())
                .setAttribute(MetricNames.ATTR_DB_ROLE, config.dbRole())
                .setAttribute(MetricNames.ATTR_QUEUE_POSITION, (long) gate.queued()).startSpan();
        long start = System.nanoTime();
        try (Scope scope = span.makeCurrent()) {
            Connection c = path.acquire(priority);
            span.setAttribute(MetricNames.ATTR_OUTCOME, "acquired");
            return c;
        } catch (SQLException e) {
            span.setAttribute(MetricNames.ATTR_OUTCOME, outcome(e));
            span.setStatus(StatusCode.ERROR, e.getMessage());
            throw e;
        } finally {
            span.setAttribute(MetricNames.ATTR_WAIT_MS, (System.nanoTime() - start) / 1e6);
            span.end();
        }
    }

    static String outcome(SQLException e) {
        if (!(e instanceof PooledJdbcException)) {
            return RejectReason.TIMEOUT.tag();
        }
        switch (((PooledJdbcException) e).errorCode()) {
            case QUEUE_FULL:
                return RejectReason.QUEUE_FULL.tag();
            case POOL_CLOSED:
                return RejectReason.CLOSED.tag();
            case ACQUIRE_INTERRUPTED:
                return RejectReason.INTERRUPTED.tag();
            case OVERLOADED:
                return RejectReason.OVERLOADED.tag();
            case CIRCUIT_OPEN:
                return RejectReason.CIRCUIT_OPEN.tag();
            case RATE_LIMITED:
                return RejectReason.RATE_LIMITED.tag();
            default:
                return RejectReason.TIMEOUT.tag();
        }
    }
}
