package dev.pooled;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LocalBudgetTest {

    @Test
    void underContentionTheHigherPriorityGetsItsDemandAndTheLowerKeepsOne() {
        LocalBudget b = new LocalBudget("b", 10);
        ConnectionBudget.Claim high = b.claim("high", 9);
        ConnectionBudget.Claim low = b.claim("low", 1);
        assertThat(low.update(8, 0)).isEqualTo(8);
        // high asks for 8 while low holds 8: only the free 2 can be granted now
        assertThat(high.update(8, 0)).isEqualTo(2);
        // low is told to shrink to 10 - 8 = 2
        assertThat(low.update(8, 8)).isEqualTo(2);
        assertThat(high.update(8, 2)).as("low still holds 8").isEqualTo(2);
        assertThat(low.update(8, 2)).isEqualTo(2);
        assertThat(high.update(8, 2)).isEqualTo(8);
        assertThat(b.reserved()).isEqualTo(10);
    }

    @Test
    void equalPrioritiesSplitEvenlyAndUnwantedSharesPassOn() {
        LocalBudget b = new LocalBudget("b", 9);
        ConnectionBudget.Claim x = b.claim("x", 5);
        ConnectionBudget.Claim y = b.claim("y", 5);
        ConnectionBudget.Claim z = b.claim("z", 5);
        // members that want nothing still get one each; the rest goes to x
        assertThat(x.update(10, 0)).isEqualTo(7);
        // y's equal share is 4, but only 2 are free while x holds 7
        assertThat(y.update(10, 0)).isEqualTo(2);
        // z's allocation is 2 (x 4, y 3, z 2), nothing is free yet
        assertThat(z.update(2, 0)).isZero();
        assertThat(x.update(10, 7)).as("x is told to shrink").isEqualTo(4);
        assertThat(x.update(10, 4)).isEqualTo(4);
        assertThat(y.update(10, 2)).isEqualTo(3);
        assertThat(z.update(2, 0)).isEqualTo(2);
        assertThat(b.reserved()).isEqualTo(9);
    }

    @Test
    void closingAClaimFreesItsShare() {
        LocalBudget b = new LocalBudget("b", 4);
        ConnectionBudget.Claim x = b.claim("x", 5);
        ConnectionBudget.Claim y = b.claim("y", 5);
        assertThat(x.update(4, 0)).isEqualTo(3);
        assertThat(y.update(4, 0)).isEqualTo(1);
        y.close();
        assertThat(x.update(4, 3)).isEqualTo(4);
        assertThat(y.update(4, 0)).isZero();
        assertThat(b.members()).isEqualTo(1);
    }

    @Test
    void grantsNeverExceedTheBudgetWhenMembersFollowTheProtocol() {
        Random r = new Random(7);
        LocalBudget b = new LocalBudget("b", 12);
        List<ConnectionBudget.Claim> claims = new ArrayList<>();
        int[] held = new int[5];
        for (int i = 0; i < 5; i++) {
            claims.add(b.claim("p" + i, r.nextInt(10)));
        }
        for (int step = 0; step < 5_000; step++) {
            int i = r.nextInt(5);
            int grant = claims.get(i).update(r.nextInt(15), held[i]);
            // a member shrinks at once when it can, or keeps what it holds for now
            held[i] = r.nextBoolean() ? grant : Math.max(grant, held[i]);
            int sum = 0;
            for (int h : held) {
                sum += h;
            }
            assertThat(sum).as("connections held by all members").isLessThanOrEqualTo(12);
        }
    }

    @Test
    void theLocalSourceSharesBudgetsByNameAndRefusesAnotherSize() throws Exception {
        String name = "test-" + System.nanoTime();
        ConnectionBudget a = LocalBudgets.INSTANCE.budget(name, 5);
        ConnectionBudget.Claim c = a.claim("p", 5);
        assertThat(LocalBudgets.INSTANCE.budget(name, 5)).isSameAs(a);
        a.claim("q", 5).close(); // every hand-out is followed by a claim, as ConnectionPool.start does
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalBudgets.INSTANCE.budget(name, 6))
                .isInstanceOf(dev.pooled.PoolBudgetConflictException.class)
                .hasMessageContaining("budget_max=5").hasMessageContaining("budget_max=6");
        c.close();
        assertThat(LocalBudgets.INSTANCE.budget(name, 6).max()).as("unused: may be re-created").isEqualTo(6);
    }

    @Test
    void twoPoolsStartingAtOnceWithDifferentSizesNeverGetTwoBudgetsUnderOneName() throws Exception {
        String name = "race-" + System.nanoTime();
        StubDataSource slow = new StubDataSource();
        slow.openDelayMillis = 300; // the probe connection of both starts overlaps
        java.util.concurrent.CompletableFuture<Object> a = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> start(name, "race-a", 5, slow), r -> new Thread(r).start());
        java.util.concurrent.CompletableFuture<Object> b = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> start(name, "race-b", 7, slow), r -> new Thread(r).start());
        Object ra = a.get(30, java.util.concurrent.TimeUnit.SECONDS);
        Object rb = b.get(30, java.util.concurrent.TimeUnit.SECONDS);
        try {
            long started = java.util.stream.Stream.of(ra, rb).filter(x -> x instanceof ConnectionPool).count();
            long refused = java.util.stream.Stream.of(ra, rb)
                    .filter(x -> x instanceof dev.pooled.PoolBudgetConflictException).count();
            assertThat(started).as("%s / %s", ra, rb).isEqualTo(1);
            assertThat(refused).isEqualTo(1);
        } finally {
            for (Object x : new Object[] {ra, rb}) {
                if (x instanceof ConnectionPool p) {
                    p.close();
                }
            }
        }
    }

    private static Object start(String budget, String service, int max, StubDataSource ds) {
        try {
            return ConnectionPool.start(PoolConfig.builder().service(service).dbRole("stub").maxConnections(2)
                    .budget(budget).budgetMax(max).build(), ds);
        } catch (java.sql.SQLException e) {
            return e;
        }
    }
}
