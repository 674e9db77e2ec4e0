package io.clustermode.discovery.dns;

import java.io.IOException;

/**
 * A DNS lookup that gave no usable answer: the name does not exist, the server failed or
 * refused, or no server answered in time. It means "nothing learned", never "no instances":
 * the caller keeps the members it has and asks again later. (An answer that exists but holds no
 * records is not a failure; it gives an empty list.)
 */
public final class DnsLookupException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why the lookup failed. */
    public enum Reason {
        /** The name does not exist (NXDOMAIN). */
        NXDOMAIN,
        /** The server could not answer (SERVFAIL). */
        SERVFAIL,
        /** The server refused to answer this query (REFUSED): some refuse a record type they do not serve. */
        REFUSED,
        /** The server does not implement this kind of query (NOTIMP). */
        NOT_IMPLEMENTED,
        /** The server answered with another error code. */
        ERROR_RCODE,
        /** No answer within the timeout. */
        TIMEOUT,
        /** The query could not be sent or the answer not read. */
        IO,
        /** The answer could not be used, such as a CNAME chain that does not end. */
        BAD_ANSWER
    }

    private final Reason reason;

    /**
     * @param reason  why the lookup failed
     * @param message what was asked of which server, and what came back
     * @param cause   the underlying exception, or null
     */
    public DnsLookupException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the lookup failed. */
    public Reason reason() {
        return reason;
    }
}
