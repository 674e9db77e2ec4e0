package io.clustermode.discovery.kubernetes;

/**
 * The Kubernetes API did not tell which instances there are: it refused (403, missing RBAC
 * rule), failed, or could not be reached. It means "nothing learned", never "no instances": the
 * caller keeps the members it has and asks again later.
 */
public final class KubernetesDiscoveryException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int code;

    /**
     * @param code    the HTTP status the API server answered, or 0 when there was no answer
     * @param message what was asked, and what came back
     * @param cause   the client's exception
     */
    public KubernetesDiscoveryException(int code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The HTTP status the API server answered (403: forbidden), or 0 when there was no answer. */
    public int code() {
        return code;
    }
}
