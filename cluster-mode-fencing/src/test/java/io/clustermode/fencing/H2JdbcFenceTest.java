package io.clustermode.fencing;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link JdbcFence} on H2 (its {@link JdbcFence.Dialect#STANDARD} path), in memory. */
class H2JdbcFenceTest extends JdbcFenceContract {

    // LOCK_TIMEOUT: a check that waits for the row must outlast the other transaction on a busy machine
    private static final String URL = "jdbc:h2:mem:fence;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=30000";

    @Override
    Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, "sa", "");
    }

    @Override
    int sessionsWaitingForALock(Connection observer) throws SQLException {
        try (Statement s = observer.createStatement();
             ResultSet row = s.executeQuery("SELECT count(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL")) {
            row.next();
            return row.getInt(1);
        }
    }

    @Test
    void a_table_name_that_is_not_a_plain_identifier_is_refused() {
        for (String bad : new String[] {"fence; DROP TABLE users", "\"quoted\"", "1fence", "a.b.c", "", "fen ce"}) {
            assertThatThrownBy(() -> JdbcFence.of(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fence table name must be an unquoted SQL identifier");
        }
        assertThat(JdbcFence.of("app.cluster_fence").table()).isEqualTo("app.cluster_fence");
        assertThat(JdbcFence.of().table()).isEqualTo(JdbcFence.DEFAULT_TABLE);
    }

    @Test
    void a_bad_name_or_a_negative_token_is_refused() throws SQLException {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> fence.check(c, "", 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> fence.check(c, "x".repeat(256), 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> fence.check(c, name, -1)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
