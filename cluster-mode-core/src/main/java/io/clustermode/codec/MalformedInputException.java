package io.clustermode.codec;

/** Input that does not decode: truncated, out of range, or of an unknown kind. */
public final class MalformedInputException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedInputException(String message) {
        super(message);
    }
}
