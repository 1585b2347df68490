/**
 * The engine: pools, admission, sizing, throttling, breaking, budget and config SPIs, metrics. Only
 * {@code dev.pooled} and {@code dev.pooled.metrics} are API; {@code dev.pooled.internal} is exported to the driver module only.
 */
module dev.pooled.core {
    requires transitive java.sql;
    requires java.management;
    requires com.zaxxer.hikari;
    requires org.slf4j;
    // Instrumentation takes a MeterRegistry and a Tracer: users of the API need both types.
    requires transitive micrometer.core;
    requires transitive io.opentelemetry.api;
    requires io.opentelemetry.context;
    requires io.github.resilience4j.circuitbreaker;
    requires io.github.resilience4j.ratelimiter;
    requires HdrHistogram;

    exports dev.pooled;
    exports dev.pooled.metrics;
    // The driver's redaction and degradation code share core helpers; users cannot reach them.
    exports dev.pooled.internal to dev.pooled.jdbc;
    // Plug-ins (the etcd module's config records and budgets) that PoolExtensions.installed() finds.
    uses dev.pooled.PoolExtension;
}
