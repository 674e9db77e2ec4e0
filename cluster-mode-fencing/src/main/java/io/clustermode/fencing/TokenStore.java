package io.clustermode.fencing;

import java.io.IOException;

/**
 * Where a resource keeps the largest fencing token it has seen per group. What survives a
 * restart is the resource's choice: {@link InMemoryTokenStore} forgets (a restarted resource
 * then accepts the first token it sees), {@link FileTokenStore} keeps them in a file,
 * {@link JdbcTokenStore} in a database table.
 *
 * <p>Implementations are safe for concurrent use; {@link #raise} may block (I/O).
 */
public interface TokenStore {

    /**
     * Stores {@code token} for {@code group} unless a larger one is stored, atomically with
     * respect to other calls, and durably before returning (as durable as the store is).
     *
     * @return the largest token stored for the group now: {@code token} when it was accepted
     *         (it was the largest, or equal to it), the larger one when it was stale
     * @throws IOException when the store cannot be read or written: nothing can be concluded
     */
    long raise(String group, long token) throws IOException;
}
