/**
 * Spring Boot 4 auto-configuration for Pooled JDBC: with the starter on the class path and
 * {@code spring.datasource.url=jdbc:pooled:...}, the application's {@code DataSource} is a
 * {@link dev.pooled.jdbc.PooledDataSource} configured by {@link dev.pooled.spring.boot.PooledProperties}
 * ({@code pooled.*}), with metrics in the application's registry, a health indicator per pool and the actuator
 * endpoint {@code pooled}. {@link dev.pooled.spring.boot.PooledDataSourceFactory} builds further data sources.
 * {@code docs/spring-boot.md} documents every property.
 */
package dev.pooled.spring.boot;
