/**
 * Spring Boot auto-configuration for Pooled JDBC.
 *
 * <p>Reserved for the Spring Boot issue: this module will bind {@code pooled.*} properties and expose a
 * {@code PooledDataSource}. It has no public types yet.
 */
package dev.pooled.spring.boot;
