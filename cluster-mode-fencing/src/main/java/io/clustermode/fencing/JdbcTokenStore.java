package io.clustermode.fencing;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Largest tokens in a database, in the table of a {@link JdbcFence} (a group is a fence name),
 * each raise in a transaction of its own. A resource whose writes go to the same database
 * should rather call {@link JdbcFence#check} inside its own transactions: that also covers a
 * request that was accepted here just before a newer token arrived.
 */
public final class JdbcTokenStore implements TokenStore {

    private final DataSource dataSource;
    private final JdbcFence fence;

    /** Uses {@code fence}'s table (create it with {@link JdbcFence#createTable}) through {@code dataSource}. */
    public JdbcTokenStore(DataSource dataSource, JdbcFence fence) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.fence = Objects.requireNonNull(fence, "fence");
    }

    @Override
    public long raise(String group, long token) throws IOException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                long stored = fence.raise(connection, group, token);
                connection.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IOException("token store " + fence.table() + ": " + e.getMessage(), e);
        }
    }
}
