package dev.pooled.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link AcquireReleaseBenchmark}'s {@code cycle} measured in CPU time per operation instead of wall-clock
 * throughput: on a machine other work shares, a thread that is not scheduled costs no CPU time, so the figure moves
 * far less with the neighbours' load than ops/ms do. One pool per JVM (as JMH's forks), run by
 * {@code scripts/engine-bench.sh --cpu} in interleaved rounds.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.pooled.benchmarks.CpuCost <pool> <threads> <warm-up s> <measure s>};
 * prints one line {@code CPU <pool> threads=<n> ns_cpu_per_op=<x> ops_per_ms_wall=<y>}.
 */
public final class CpuCost {
    private CpuCost() {
    }

    public static void main(String[] args) throws Exception {
        String pool = args[0];
        int threads = Integer.parseInt(args[1]);
        long warmNanos = Long.parseLong(args[2]) * 1_000_000_000L;
        long measureNanos = Long.parseLong(args[3]) * 1_000_000_000L;
        AcquireReleaseBenchmark b = new AcquireReleaseBenchmark();
        b.pool = pool;
        b.setUp();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder ops = new LongAdder();
        LongAdder cpu = new LongAdder();
        CountDownLatch done = new CountDownLatch(threads);
        // Each thread's last result is stored where it escapes (so the wrapper is really allocated), 16 slots apart
        // so that the threads' stores do not share a cache line.
        Object[] sink = new Object[threads * 16];
        for (int i = 0; i < threads; i++) {
            int slot = i * 16;
            Thread t = new Thread(() -> {
                try {
                    while (!measuring.get()) {
                        sink[slot] = b.cycle();
                    }
                    long c0 = mx.getCurrentThreadCpuTime();
                    long n = 0;
                    while (!stop.get()) {
                        sink[slot] = b.cycle();
                        n++;
                    }
                    cpu.add(mx.getCurrentThreadCpuTime() - c0);
                    ops.add(n);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    done.countDown();
                }
            }, "cpu-cost-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(warmNanos / 1_000_000);
        long w0 = System.nanoTime();
        measuring.set(true);
        Thread.sleep(measureNanos / 1_000_000);
        stop.set(true);
        done.await();
        long wall = System.nanoTime() - w0;
        b.tearDown();
        long n = ops.sum();
        System.out.printf("CPU %s threads=%d ns_cpu_per_op=%.1f ops_per_ms_wall=%.0f%n", pool, threads,
                (double) cpu.sum() / n, n / (wall / 1e6));
        System.exit(0);
    }
}
