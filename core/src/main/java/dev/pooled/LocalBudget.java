package dev.pooled;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory {@link ConnectionBudget}: every update recomputes the split under one lock (members are few and
 * update about ten times a second each).
 *
 * <p><b>Allocation.</b> Each member is first given one connection (highest priority first, while the budget lasts),
 * so that no pool is starved to nothing. The rest goes to priority levels from the highest down: within a level it is
 * water-filled (equal shares, capped at each member's demand, the remainder passed on), so a lower level gets only
 * what the higher ones do not want.
 *
 * <p><b>Grants.</b> A member's grant is its allocation, except that it may grow only into capacity nobody else
 * reserves: every member reserves {@code max(grant, held)}, so a connection that a shrinking pool still holds is not
 * granted to another until the holder reports it gone. The sum of reservations never exceeds {@link #max()} because
 * of a grant; it can exceed it only while a member holds more than its grant, which it then gives back.
 *
 * <p>Thread-safe.
 */
final class LocalBudget implements ConnectionBudget {
    private final String name;
    private final int max;
    private final ReentrantLock lock = new ReentrantLock();
    /** In join order; guarded by {@link #lock}. */
    private final List<Member> members = new ArrayList<>();
    /** Handed out by {@link LocalBudgets#budget} and not claimed yet; guarded by {@link #lock}. */
    private int pending;

    /**
     * @param name the name
     * @param max the most connections all members hold together, at least 0
     */
    LocalBudget(String name, int max) {
        this.name = name;
        this.max = max;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int max() {
        return max;
    }

    @Override
    public Claim claim(String pool, int priority) {
        lock.lock();
        try {
            Member m = new Member(pool, priority);
            members.add(m);
            if (pending > 0) {
                pending--;
            }
            return m;
        } finally {
            lock.unlock();
        }
    }

    /** Counts one hand-out by {@link LocalBudgets#budget} that a {@link #claim} will follow. */
    void handedOut() {
        lock.lock();
        try {
            pending++;
        } finally {
            lock.unlock();
        }
    }

    /** @return whether no pool claims this budget nor is about to (then it may be replaced by another size) */
    boolean unused() {
        lock.lock();
        try {
            return members.isEmpty() && pending == 0;
        } finally {
            lock.unlock();
        }
    }

    /** @return members now */
    public int members() {
        lock.lock();
        try {
            return members.size();
        } finally {
            lock.unlock();
        }
    }

    /** @return the sum of what members reserve now (grants, or holdings where larger) */
    public int reserved() {
        lock.lock();
        try {
            int sum = 0;
            for (Member m : members) {
                sum += m.reserved;
            }
            return sum;
        } finally {
            lock.unlock();
        }
    }

    /** Under {@link #lock}: each member's allocation, in the order of {@link #members}. */
    private int[] allocate() {
        int n = members.size();
        int[] alloc = new int[n];
        int remaining = max;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Highest priority first; join order within a priority (stable sort).
        java.util.Arrays.sort(order, (a, b) -> Integer.compare(members.get(b).priority, members.get(a).priority));
        for (int k = 0; k < n && remaining > 0; k++) {
            alloc[order[k]] = 1;
            remaining--;
        }
        int k = 0;
        while (k < n && remaining > 0) {
            int level = members.get(order[k]).priority;
            int end = k;
            while (end < n && members.get(order[end]).priority == level) {
                end++;
            }
            remaining = waterFill(order, k, end, alloc, remaining);
            k = end;
        }
        return alloc;
    }

    private int waterFill(Integer[] order, int from, int to, int[] alloc, int remaining) {
        List<Integer> wanting = new ArrayList<>();
        for (int k = from; k < to; k++) {
            int i = order[k];
            if (members.get(i).demand > alloc[i]) {
                wanting.add(i);
            }
        }
        // Smallest unmet demand first, so a share it cannot use passes to the others.
        wanting.sort((a, b) -> Integer.compare(members.get(a).demand - alloc[a], members.get(b).demand - alloc[b]));
        while (remaining > 0 && !wanting.isEmpty()) {
            int share = Math.max(1, remaining / wanting.size());
            List<Integer> still = new ArrayList<>();
            for (int i : wanting) {
                int give = Math.min(Math.min(members.get(i).demand - alloc[i], share), remaining);
                alloc[i] += give;
                remaining -= give;
                if (members.get(i).demand > alloc[i]) {
                    still.add(i);
                }
                if (remaining == 0) {
                    break;
                }
            }
            wanting = still;
        }
        return remaining;
    }

    @Override
    public String toString() {
        return "LocalBudget[" + name + ", max=" + max + "]";
    }

    private final class Member implements Claim {
        final String pool;
        final int priority;
        int demand;
        int held;
        int reserved;
        volatile int grant;
        boolean closed;

        Member(String pool, int priority) {
            this.pool = pool;
            this.priority = priority;
        }

        @Override
        public int update(int demand, int held) {
            lock.lock();
            try {
                if (closed) {
                    return 0;
                }
                this.demand = Math.max(0, demand);
                this.held = Math.max(0, held);
                int a = allocate()[members.indexOf(this)];
                int g;
                if (a <= reserved) {
                    g = a;
                } else {
                    int sum = 0;
                    for (Member m : members) {
                        sum += m.reserved;
                    }
                    g = Math.min(a, reserved + Math.max(0, max - sum));
                }
                reserved = Math.max(g, this.held);
                grant = g;
                return g;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int grant() {
            return grant;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (!closed) {
                    closed = true;
                    members.remove(this);
                    grant = 0;
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            return "Claim[" + pool + " on " + name + ", grant=" + grant + "]";
        }
    }
}
