package io.clustermode.cli.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The shared secret of the HTTP API: clients send it as {@code Authorization: Bearer <token>}.
 *
 * <p>{@link #matches} compares SHA-256 digests with {@link MessageDigest#isEqual}, so the time it
 * takes says nothing about the token, not even its length. {@link #toString} never shows it.
 */
public final class BearerToken {

    private final String token;
    private final byte[] digest;

    private BearerToken(String token) {
        this.token = token;
        this.digest = sha256(token.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The token in {@code file}, read once, without its trailing line break.
     *
     * @throws IllegalArgumentException when the file is empty or holds more than one line or
     *                                  characters other than visible ASCII (it could not be sent in a header); the
     *                                  message does not contain the token
     * @throws IOException              when the file cannot be read
     */
    public static BearerToken readFrom(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return of(text.substring(0, end));
    }

    /**
     * A token as given.
     *
     * @throws IllegalArgumentException when it is empty or has characters other than visible ASCII
     */
    public static BearerToken of(String token) {
        if (token.isEmpty()) {
            throw new IllegalArgumentException("the token is empty");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("the token must be one line of visible ASCII characters"
                        + " (no spaces or line breaks inside)");
            }
        }
        return new BearerToken(token);
    }

    /** Whether an {@code Authorization} header value carries this token; null (no header) does not. */
    public boolean matches(String authorization) {
        if (authorization == null || authorization.length() < 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        String presented = authorization.substring(7).strip();
        return MessageDigest.isEqual(digest, sha256(presented.getBytes(StandardCharsets.UTF_8)));
    }

    /** The header value that carries this token, for requests this node sends itself. */
    public String authorization() {
        return "Bearer " + token;
    }

    @Override
    public String toString() {
        return "BearerToken[hidden]";
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
