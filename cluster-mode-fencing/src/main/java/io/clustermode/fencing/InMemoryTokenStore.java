package io.clustermode.fencing;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Largest tokens in memory: fast, and forgotten when the process ends — after a restart the
 * resource accepts whatever token comes first, a stale one included. Use it where the resource
 * itself loses its state with the process, or in tests.
 */
public final class InMemoryTokenStore implements TokenStore {

    private final ConcurrentMap<String, Long> largest = new ConcurrentHashMap<>();

    @Override
    public long raise(String group, long token) {
        return largest.merge(group, token, Math::max);
    }
}
