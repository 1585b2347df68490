/**
 * Pool configuration records and the fleet-wide connection budget on etcd.
 *
 * <p>Reserved for the etcd issue: this module will implement the config-source and budget interfaces of
 * {@code pooled-jdbc-core} with jetcd. It has no public types yet; nothing depends on it.
 */
package dev.pooled.etcd;
