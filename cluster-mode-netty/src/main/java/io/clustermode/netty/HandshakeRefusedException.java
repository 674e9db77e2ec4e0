package io.clustermode.netty;

import java.io.IOException;

/**
 * The node at an address refused the handshake: another cluster, an incompatible protocol
 * version, or (with TLS) a certificate it does not trust. Retrying soon will not help.
 */
public final class HandshakeRefusedException extends IOException {

    private static final long serialVersionUID = 1L;

    /** @param message the refusal, with the reason the remote node gave */
    public HandshakeRefusedException(String message) {
        super(message);
    }
}
