package dev.pooled.etcd.internal;

import java.util.Arrays;

/**
 * The split of a budget's movable capacity among its members: priority levels from the highest down; within a level
 * in proportion to each member's unmet demand (largest remainders break the rounding, ties in member order), capped
 * at the demand, the rest passed to the next level. Pure and deterministic: the same input always gives the same
 * split, so an allocator that recomputes it every tick writes nothing while demands stand still.
 */
final class BudgetAllocation {
    private BudgetAllocation() {
    }

    /**
     * @param movable capacity above the members' floors, may be negative (floors over-committed: nobody gets more)
     * @param priority each member's priority
     * @param want each member's demand above its floor, at least 0
     * @return each member's extra connections above its floor; the sum is at most {@code max(0, movable)}
     */
    static int[] extra(int movable, int[] priority, int[] want) {
        int n = priority.length;
        int[] out = new int[n];
        int remaining = Math.max(0, movable);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(priority[b], priority[a]));
        int k = 0;
        while (k < n && remaining > 0) {
            int end = k;
            while (end < n && priority[order[end]] == priority[order[k]]) {
                end++;
            }
            long total = 0;
            for (int j = k; j < end; j++) {
                total += Math.max(0, want[order[j]]);
            }
            if (total <= remaining) {
                for (int j = k; j < end; j++) {
                    out[order[j]] = Math.max(0, want[order[j]]);
                }
                remaining -= (int) total;
            } else {
                remaining = proportional(order, k, end, want, out, remaining, total);
            }
            k = end;
        }
        return out;
    }

    /** Splits {@code remaining} (less than {@code total}) in proportion to want; returns what is left (0). */
    private static int proportional(Integer[] order, int from, int to, int[] want, int[] out, int remaining,
            long total) {
        int m = to - from;
        long[] rem = new long[m];
        int given = 0;
        for (int j = 0; j < m; j++) {
            int i = order[from + j];
            long w = Math.max(0, want[i]);
            long share = w * remaining / total;
            out[i] = (int) share;
            given += (int) share;
            rem[j] = w * remaining % total;
        }
        int left = remaining - given;
        // Hand the rounding remainder out by largest fractional part; ties go to the earlier member.
        while (left > 0) {
            int best = -1;
            for (int j = 0; j < m; j++) {
                int i = order[from + j];
                if (rem[j] >= 0 && out[i] < want[i] && (best < 0 || rem[j] > rem[best])) {
                    best = j;
                }
            }
            if (best < 0) {
                break;
            }
            out[order[from + best]]++;
            rem[best] = -1;
            left--;
        }
        return left;
    }
}
