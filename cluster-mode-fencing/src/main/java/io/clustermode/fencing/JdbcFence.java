package io.clustermode.fencing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A fence in a database: one table of {@code (name, token)} rows, and a check that a writer
 * runs inside its own transaction, before it commits, so that a deposed primary's writes never
 * commit after its successor's.
 *
 * <pre>{@code
 * JdbcFence fence = JdbcFence.of("cluster_mode_fence");      // once; fence.createTable(c) once
 * long token = cluster.fencingToken().orElseThrow();         // the term of this primacy
 * try (Connection c = dataSource.getConnection()) {
 *     c.setAutoCommit(false);
 *     try {
 *         fence.check(c, "orders", token);                   // FencedOutException: a newer primary
 *         ... the transaction's own writes ...
 *         c.commit();
 *     } catch (SQLException e) {
 *         c.rollback();                                      // a fenced-out write never lands
 *         throw e;
 *     }
 * }
 * }</pre>
 *
 * <h2>What the check does</h2>
 * It raises the token stored under {@code name} to the caller's, creating the row on first use,
 * and throws {@link FencedOutException} when a larger token is stored. Equal tokens pass: they
 * are the same primacy. The cost is one statement per transaction: on PostgreSQL always
 * ({@code INSERT ... ON CONFLICT (name) DO UPDATE ... WHERE token <= EXCLUDED.token}, its update
 * count says which); elsewhere ({@link Dialect#STANDARD}) one {@code UPDATE ... WHERE token <= ?}
 * while the row exists and the token is not stale, and a {@code SELECT} (and on first use an
 * {@code INSERT}) otherwise.
 *
 * <h2>Why racing transactions are safe</h2>
 * Raising the token writes the fence row, so the transaction holds that row's lock until it
 * commits or rolls back. Say transactions with tokens 5 and 6 race. If 5 locks the row first,
 * 6 waits at its check until 5 has committed: 5's writes land <em>before</em> 6 is stored, which
 * is the order the tokens say. If 6 locks it first, 5 waits; when 6 commits, 5's statement sees
 * the committed 6 (PostgreSQL's {@code ON CONFLICT} and {@code UPDATE} re-read the newest row
 * version after the wait in READ COMMITTED; under REPEATABLE READ or SERIALIZABLE 5 fails with
 * a serialization error instead), updates nothing and is refused — and since the check ran in
 * 5's transaction, the caller rolls back every write 5 made, before or after the check. So once
 * 6 is stored, no transaction of 5 commits. This holds only if the check runs in the same
 * transaction as the writes (auto-commit off; the check refuses a connection in auto-commit
 * mode) and the fence table lives in the same database as the data.
 *
 * <p>The lock also means that writers of one fence name are serialized: two transactions of the
 * same primary queue behind each other at the check. Use a name per independent resource, and
 * keep fenced transactions short; run the check late in the transaction if contention matters
 * (it still covers writes made before it).
 *
 * <p>Instances are immutable apart from the dialect detected on first use, and safe to share.
 */
public final class JdbcFence {

    /** The table name {@link #of()} uses. */
    public static final String DEFAULT_TABLE = "cluster_mode_fence";

    /** The longest fence name accepted (the column is {@code VARCHAR(255)}). */
    public static final int MAX_NAME_LENGTH = 255;

    /** A table name, optionally qualified by a schema: unquoted SQL identifiers only. */
    private static final Pattern TABLE_NAME =
            Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

    /** Retries of the standard path when a concurrent first insert races this one. */
    private static final int STANDARD_ATTEMPTS = 3;

    /** The SQL a database understands best for the check. */
    public enum Dialect {
        /** PostgreSQL (9.5 and later): one {@code INSERT ... ON CONFLICT DO UPDATE} per check. */
        POSTGRESQL,
        /**
         * Any database with row locks held to commit and statement-level rollback (a failed
         * statement does not abort the transaction): H2, MySQL/MariaDB (InnoDB), Oracle, SQL
         * Server, Db2. An {@code UPDATE}, and on a miss a {@code SELECT} and an {@code INSERT}.
         */
        STANDARD;

        /** The dialect for a database by its JDBC product name. */
        static Dialect of(String productName) {
            return productName != null && productName.toLowerCase(Locale.ROOT).contains("postgres")
                    ? POSTGRESQL : STANDARD;
        }
    }

    private final String table;
    private final Dialect fixedDialect;
    private volatile Dialect detected;

    private JdbcFence(String table, Dialect dialect) {
        if (table == null || !TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("fence table name must be an unquoted SQL identifier, optionally"
                    + " schema-qualified (letters, digits and '_', not starting with a digit, at most 63 each),"
                    + " was " + (table == null ? "nothing" : "'" + table + "'"));
        }
        this.table = table;
        this.fixedDialect = dialect;
    }

    /** A fence in table {@value #DEFAULT_TABLE}, its dialect detected from the first connection. */
    public static JdbcFence of() {
        return new JdbcFence(DEFAULT_TABLE, null);
    }

    /**
     * A fence in {@code table}, its dialect detected from the first connection.
     *
     * @throws IllegalArgumentException when {@code table} is not a plain SQL identifier (this
     *                                  name goes into SQL text: nothing else is accepted)
     */
    public static JdbcFence of(String table) {
        return new JdbcFence(table, null);
    }

    /** As {@link #of(String)}, with the dialect given rather than detected. */
    public static JdbcFence of(String table, Dialect dialect) {
        return new JdbcFence(table, Objects.requireNonNull(dialect, "dialect"));
    }

    /** The table's name. */
    public String table() {
        return table;
    }

    /**
     * Creates the table unless it exists ({@code CREATE TABLE IF NOT EXISTS}); in the caller's
     * transaction when auto-commit is off (the caller commits).
     */
    public void createTable(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + table
                    + " (name VARCHAR(" + MAX_NAME_LENGTH + ") NOT NULL PRIMARY KEY, token BIGINT NOT NULL)");
        }
    }

    /**
     * Raises the token stored under {@code name} to {@code token} inside the connection's current
     * transaction, or refuses. The row stays locked until the caller commits or rolls back.
     *
     * @throws FencedOutException    when a larger token is stored: roll the transaction back
     * @throws IllegalStateException when the connection is in auto-commit mode (the check would
     *                               commit on its own and protect nothing)
     * @throws IllegalArgumentException when {@code name} is empty or too long, or the token negative
     * @throws SQLException          when the database fails (the table missing, say)
     */
    public void check(Connection connection, String name, long token) throws SQLException {
        long stored = raise(connection, name, token);
        if (stored > token) {
            throw new FencedOutException(name, token, stored);
        }
    }

    /**
     * Raises the token stored under {@code name} to {@code token} unless a larger one is stored,
     * in the connection's current transaction, and returns the token stored now: {@code token}
     * when it was accepted, the larger one when not. {@link #check} is this plus the refusal.
     *
     * @throws IllegalStateException when the connection is in auto-commit mode
     */
    public long raise(Connection connection, String name, long token) throws SQLException {
        requireName(name);
        if (token < 0) {
            throw new IllegalArgumentException("a fencing token is never negative, was " + token);
        }
        if (connection.getAutoCommit()) {
            throw new IllegalStateException("the fence check must run inside the writer's transaction:"
                    + " turn auto-commit off (connection.setAutoCommit(false)) and commit after the writes");
        }
        return dialect(connection) == Dialect.POSTGRESQL ? raisePostgres(connection, name, token)
                : raiseStandard(connection, name, token);
    }

    /** The token stored under {@code name}, read in the connection's transaction; empty when none. */
    public OptionalLong storedToken(Connection connection, String name) throws SQLException {
        requireName(name);
        try (PreparedStatement select = connection.prepareStatement("SELECT token FROM " + table + " WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    private long raisePostgres(Connection connection, String name, long token) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + table
                + " AS fence (name, token) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token"
                + " WHERE fence.token <= EXCLUDED.token")) {
            upsert.setString(1, name);
            upsert.setLong(2, token);
            if (upsert.executeUpdate() == 1) {
                return token;
            }
        }
        // Nothing inserted or updated: the row exists (locked by the upsert) with a larger token.
        return storedToken(connection, name).orElseThrow(() -> new SQLException(
                "fence '" + name + "' in " + table + ": the upsert changed nothing, yet no row is stored"));
    }

    private long raiseStandard(Connection connection, String name, long token) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE " + table + " SET token = ? WHERE name = ? AND token <= ?")) {
                update.setLong(1, token);
                update.setString(2, name);
                update.setLong(3, token);
                if (update.executeUpdate() == 1) {
                    return token;
                }
            }
            OptionalLong stored = storedToken(connection, name);
            if (stored.isPresent() && stored.getAsLong() > token) {
                return stored.getAsLong();
            }
            if (stored.isEmpty()) {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO " + table + " (name, token) VALUES (?, ?)")) {
                    insert.setString(1, name);
                    insert.setLong(2, token);
                    insert.executeUpdate();
                    return token;
                } catch (SQLException duplicate) {
                    // another transaction inserted the row first (a unique violation is class 23):
                    // its token decides, through the update above
                    if (!isConstraintViolation(duplicate) || attempt >= STANDARD_ATTEMPTS) {
                        throw duplicate;
                    }
                }
            } else if (attempt >= STANDARD_ATTEMPTS) {
                // a smaller token is stored, yet the update changed nothing: the row changed under us repeatedly
                throw new SQLException("fence '" + name + "' in " + table + ": could not raise the token to "
                        + token + " after " + attempt + " attempts (the row changes concurrently)");
            }
        }
    }

    private Dialect dialect(Connection connection) throws SQLException {
        if (fixedDialect != null) {
            return fixedDialect;
        }
        Dialect dialect = detected;
        if (dialect == null) {
            dialect = Dialect.of(connection.getMetaData().getDatabaseProductName());
            detected = dialect;
        }
        return dialect;
    }

    private static boolean isConstraintViolation(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }

    private static void requireName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("a fence name must be 1 to " + MAX_NAME_LENGTH + " characters, was "
                    + (name == null ? "nothing" : name.length() + " characters"));
        }
    }

    @Override
    public String toString() {
        return "JdbcFence[" + table + "]";
    }
}
