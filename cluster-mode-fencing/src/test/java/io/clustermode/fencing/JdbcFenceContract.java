package io.clustermode.fencing;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What {@link JdbcFence} promises, against one database (the subclasses: H2 and a real
 * PostgreSQL). Each test writes rows of {@code fenced_writes} in transactions guarded by the
 * fence, the way an application would, and looks at which rows committed.
 */
abstract class JdbcFenceContract {

    private static final AtomicInteger NAMES = new AtomicInteger();

    final JdbcFence fence = JdbcFence.of("test_fence");
    String name;

    /** A new connection to the database under test. */
    abstract Connection connect() throws SQLException;

    /** How many sessions wait for a row lock now. */
    abstract int sessionsWaitingForALock(Connection observer) throws SQLException;

    @BeforeEach
    void tables() throws SQLException {
        name = "resource-" + NAMES.incrementAndGet();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            fence.createTable(c);
            fence.createTable(c); // a second time does nothing
            s.execute("CREATE TABLE IF NOT EXISTS fenced_writes (resource VARCHAR(255), round INT, token BIGINT)");
        }
    }

    @Test
    void when_no_token_is_stored_then_the_first_check_stores_it_and_equal_or_newer_tokens_pass() throws Exception {
        assertThat(write(5, 1)).isTrue();
        assertThat(write(5, 2)).isTrue();
        assertThat(write(7, 3)).isTrue();
        try (Connection c = connect()) {
            assertThat(fence.storedToken(c, name)).hasValue(7);
        }
        assertThat(committed()).isEqualTo("1:5 2:5 3:7");
    }

    @Test
    void when_a_newer_token_is_stored_then_the_stale_one_is_refused_and_its_writes_roll_back() throws Exception {
        assertThat(write(6, 1)).isTrue();
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            insert(c, 2, 5); // a write before the check is covered too
            assertThatThrownBy(() -> fence.check(c, name, 5)).isInstanceOf(FencedOutException.class)
                    .hasMessageContaining("token 5 is older than the stored 6")
                    .satisfies(e -> assertThat(((FencedOutException) e).storedToken()).isEqualTo(6));
            c.rollback();
        }
        assertThat(committed()).isEqualTo("1:6");
        try (Connection c = connect()) {
            assertThat(fence.storedToken(c, name)).hasValue(6);
        }
    }

    @Test
    void when_auto_commit_is_on_then_the_check_refuses_to_run() throws Exception {
        try (Connection c = connect()) {
            assertThatThrownBy(() -> fence.check(c, name, 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("auto-commit");
            assertThat(fence.storedToken(c, name)).isEmpty();
        }
    }

    @Test
    void when_the_older_token_checks_while_the_newer_holds_the_row_then_it_waits_and_is_refused() throws Exception {
        assertThat(write(4, 0)).isTrue(); // the row exists: both take the update path
        ExecutorService older = Executors.newSingleThreadExecutor();
        try (Connection newer = connect(); Connection observer = connect()) {
            newer.setAutoCommit(false);
            fence.check(newer, name, 6);
            insert(newer, 2, 6);
            Future<Boolean> stale = older.submit(() -> write(5, 1));
            await().atMost(Duration.ofSeconds(30)).until(() -> sessionsWaitingForALock(observer) > 0);
            assertThat(stale).isNotDone(); // it waits for the row, holding its own write
            newer.commit();
            assertThat(stale.get(30, TimeUnit.SECONDS)).as("the older token is fenced out").isFalse();
        } finally {
            older.shutdownNow();
        }
        assertThat(committed()).isEqualTo("0:4 2:6");
    }

    @Test
    void when_the_newer_token_checks_while_the_older_holds_the_row_then_the_older_lands_first() throws Exception {
        assertThat(write(4, 0)).isTrue();
        ExecutorService newerThread = Executors.newSingleThreadExecutor();
        try (Connection older = connect(); Connection observer = connect()) {
            older.setAutoCommit(false);
            fence.check(older, name, 5);
            insert(older, 1, 5);
            Future<Boolean> newer = newerThread.submit(() -> write(6, 2));
            await().atMost(Duration.ofSeconds(30)).until(() -> sessionsWaitingForALock(observer) > 0);
            assertThat(newer).isNotDone();
            older.commit(); // 5's writes land before 6 is stored: the order of the tokens
            assertThat(newer.get(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            newerThread.shutdownNow();
        }
        assertThat(committed()).isEqualTo("0:4 1:5 2:6");
        assertThat(write(5, 3)).isFalse();
    }

    /**
     * Two connections race, tokens n and n+1 starting together, many times: after the newer
     * committed, the rows of the older that are visible never grow (none of its commits lands
     * after the newer's). Which one wins the row varies; the invariant does not.
     */
    @Test
    void when_two_tokens_race_then_the_older_never_commits_after_the_newer() throws Exception {
        int rounds = 60;
        ExecutorService threads = Executors.newFixedThreadPool(2);
        int olderLanded = 0;
        int olderRefused = 0;
        try {
            for (int round = 0; round < rounds; round++) {
                long older = 2L * round + 1;
                CyclicBarrier start = new CyclicBarrier(2);
                int[] olderVisibleAfterNewer = new int[1];
                int r = round;
                Future<Boolean> olderWrite = threads.submit(() -> {
                    start.await();
                    return write(older, r);
                });
                Future<Boolean> newerWrite = threads.submit(() -> {
                    start.await();
                    boolean ok = write(older + 1, r);
                    olderVisibleAfterNewer[0] = count(r, older);
                    return ok;
                });
                assertThat(newerWrite.get(30, TimeUnit.SECONDS)).as("the newer token always writes").isTrue();
                boolean landed = landedOrRefused(olderWrite);
                assertThat(count(r, older)).as("round %d: the older's rows after both finished", r)
                        .isEqualTo(olderVisibleAfterNewer[0]);
                if (landed) {
                    olderLanded++;
                } else {
                    olderRefused++;
                }
            }
        } finally {
            threads.shutdownNow();
        }
        System.out.printf("%s: %d rounds, the older token landed first in %d and was refused in %d%n",
                getClass().getSimpleName(), rounds, olderLanded, olderRefused);
    }

    private static boolean landedOrRefused(Future<Boolean> write) throws Exception {
        try {
            return write.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the older write failed otherwise than by being fenced out", e.getCause());
        }
    }

    /**
     * One fenced transaction that writes one row; true when it committed, false when fenced out
     * (rolled back). Any other failure is thrown.
     */
    boolean write(long token, int round) throws SQLException {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try {
                fence.check(c, name, token);
                insert(c, round, token);
                c.commit();
                return true;
            } catch (FencedOutException e) {
                c.rollback();
                return false;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void insert(Connection c, int round, long token) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO fenced_writes (resource, round, token) VALUES (?, ?, ?)")) {
            insert.setString(1, name);
            insert.setInt(2, round);
            insert.setLong(3, token);
            insert.executeUpdate();
        }
    }

    private int count(int round, long token) throws SQLException {
        try (Connection c = connect(); PreparedStatement select = c.prepareStatement(
                "SELECT count(*) FROM fenced_writes WHERE resource = ? AND round = ? AND token = ?")) {
            select.setString(1, name);
            select.setInt(2, round);
            select.setLong(3, token);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    /** The committed rows of this test's resource, "round:token" in order. */
    String committed() throws SQLException {
        StringBuilder rows = new StringBuilder();
        try (Connection c = connect(); PreparedStatement select = c.prepareStatement(
                "SELECT round, token FROM fenced_writes WHERE resource = ? ORDER BY round, token")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    rows.append(rows.isEmpty() ? "" : " ").append(row.getInt(1)).append(':').append(row.getLong(2));
                }
            }
        }
        return rows.toString();
    }
}
