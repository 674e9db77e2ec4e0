package io.clustermode.transport;

import java.io.IOException;
import java.util.ServiceLoader;

/**
 * Builds transports; found with {@link ServiceLoader} (the Netty module registers one), so
 * adding the module to the class path is all it takes.
 */
public interface TransportFactory {

    /** A transport for these settings, not started. */
    Transport create(TransportSettings settings) throws IOException;

    /** The first factory on the class path. */
    static TransportFactory load() {
        return ServiceLoader.load(TransportFactory.class).findFirst().orElseThrow(() -> new IllegalStateException(
                "no transport on the class path: add the cluster-mode-netty module"));
    }
}
