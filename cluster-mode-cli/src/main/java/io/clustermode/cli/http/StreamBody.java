package io.clustermode.cli.http;

/**
 * The body of an answer that stays open ({@link ApiAnswer#stream}): once the server has written
 * the answer's head, it hands {@link #start} a writer for the rest.
 */
@FunctionalInterface
public interface StreamBody {

    /** Called once, on the connection's event loop, right after the head was written; must not block. */
    void start(StreamWriter writer);
}
