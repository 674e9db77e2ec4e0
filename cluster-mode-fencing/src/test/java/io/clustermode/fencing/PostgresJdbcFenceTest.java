package io.clustermode.fencing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** {@link JdbcFence} on a real PostgreSQL (its {@code INSERT ... ON CONFLICT} path), started for this class. */
class PostgresJdbcFenceTest extends JdbcFenceContract {

    private static PostgresServer server;

    @BeforeAll
    static void start() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    Connection connect() throws SQLException {
        return server.connect();
    }

    @Override
    int sessionsWaitingForALock(Connection observer) throws SQLException {
        try (Statement s = observer.createStatement(); ResultSet row = s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
            row.next();
            return row.getInt(1);
        }
    }
}
