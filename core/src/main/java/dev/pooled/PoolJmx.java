package dev.pooled;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's MBean in the platform MBean server, {@code dev.pooled:type=Pool,service=..,db_role=..} (plus
 * {@code ,pool=n} for a second pool of the same pair). Every attribute is read from a {@link PoolStats} snapshot, so
 * the two cannot disagree.
 */
final class PoolJmx implements PoolMXBean {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);

    private final ConnectionPool pool;

    private PoolJmx(ConnectionPool pool) {
        this.pool = pool;
    }

    /** @return the name registered under, or {@code null} if registration failed (logged) */
    static ObjectName register(ConnectionPool pool, PoolConfig config) {
        String name = pool.name();
        String base = "dev.pooled:type=Pool,service=" + config.service() + ",db_role=" + config.dbRole();
        int hash = name.indexOf('#');
        try {
            ObjectName on = new ObjectName(hash < 0 ? base : base + ",pool=" + name.substring(hash + 1));
            ManagementFactory.getPlatformMBeanServer().registerMBean(new PoolJmx(pool), on);
            return on;
        } catch (JMException e) {
            LOG.warn("pool {}: could not register its MBean", name, e);
            return null;
        }
    }

    /** @param on a name {@link #register} returned, or {@code null} */
    static void unregister(String pool, ObjectName on) {
        if (on == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(on);
        } catch (JMException e) {
            LOG.debug("pool {}: MBean already gone", pool, e);
        }
    }

    @Override
    public String getPool() {
        return pool.stats().pool();
    }

    @Override
    public long getConfigVersion() {
        return pool.stats().configVersion();
    }

    @Override
    public int getLimit() {
        return pool.stats().limit();
    }

    @Override
    public int getActive() {
        return pool.stats().active();
    }

    @Override
    public int getIdle() {
        return pool.stats().idle();
    }

    @Override
    public int getTotal() {
        return pool.stats().total();
    }

    @Override
    public int getQueueDepth() {
        return pool.stats().queueDepth();
    }

    @Override
    public int getMaxQueue() {
        return pool.stats().maxQueue();
    }

    @Override
    public double getUtilization() {
        return pool.stats().utilization();
    }

    @Override
    public long getAcquired() {
        return pool.stats().acquired();
    }

    @Override
    public long getRejected() {
        return pool.stats().rejected();
    }

    @Override
    public long getTimedOut() {
        return pool.stats().timeouts();
    }

    @Override
    public long getLeaked() {
        return pool.stats().leaksDetected();
    }

    @Override
    public long getReclaimed() {
        return pool.stats().leaksReclaimed();
    }

    @Override
    public long getWaitP99Micros() {
        return Math.round(pool.stats().waitTime().p99Micros());
    }

    @Override
    public boolean isPaused() {
        return pool.stats().paused();
    }

    @Override
    public int getTargetSize() {
        return pool.stats().targetSize();
    }

    @Override
    public double getArrivalRate() {
        return pool.stats().arrivalRate();
    }

    @Override
    public double getHoldTimeMicros() {
        return pool.stats().holdTimeMicros();
    }

    @Override
    public double getOfferedLoad() {
        return pool.stats().offeredLoad();
    }

    @Override
    public String getSizingReason() {
        return pool.stats().sizingReason();
    }

    @Override
    public String getBreakerState() {
        return pool.stats().breakerState();
    }

    @Override
    public int getBudgetShare() {
        return pool.stats().budgetShare();
    }

    @Override
    public void softEvictIdle() {
        pool.softEvictIdle();
    }

    @Override
    public void pause() {
        pool.pause();
    }

    @Override
    public void resume() {
        pool.resume();
    }
}
