package io.clustermode.fencing;

import java.sql.SQLException;

/**
 * A newer fencing token than the caller's is already stored: another primary took over, and
 * the caller must not write. The transaction it came from must be rolled back (it is an
 * {@link SQLException} so that the caller's usual rollback path takes it); nothing the caller
 * wrote in it may commit. Retrying with the same token cannot succeed.
 */
public final class FencedOutException extends SQLException {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final long token;
    private final long storedToken;

    /**
     * @param name        the fence (or token group) that refused
     * @param token       the caller's token
     * @param storedToken the newer token stored there
     */
    public FencedOutException(String name, long token, long storedToken) {
        super("fenced out of '" + name + "': token " + token + " is older than the stored " + storedToken
                + " (another primary took over)");
        this.name = name;
        this.token = token;
        this.storedToken = storedToken;
    }

    /** The fence (or token group) that refused. */
    public String name() {
        return name;
    }

    /** The caller's token, refused. */
    public long token() {
        return token;
    }

    /** The newer token already stored. */
    public long storedToken() {
        return storedToken;
    }
}
