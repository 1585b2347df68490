/**
 * Pool configuration records and the fleet-wide connection budget on etcd (jetcd).
 *
 * <p>{@link dev.pooled.etcd.EtcdSettings} says how to reach etcd ({@code pooled.etcd.*}),
 * {@link dev.pooled.etcd.EtcdKeys} where this library's keys live, and {@link dev.pooled.etcd.InstanceId} who this
 * instance is ({@code pooled.instance_id}). jetcd and gRPC stay inside this module: {@code pooled-jdbc-core} never
 * sees them.
 */
package dev.pooled.etcd;
