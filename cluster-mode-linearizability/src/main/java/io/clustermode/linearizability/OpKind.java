package io.clustermode.linearizability;

/** What a client asked of one key of the replicated key-value store. */
public enum OpKind {
    /** {@code PUT /kv/{key}}: write a value. */
    PUT,
    /** {@code GET /kv/{key}}: a linearizable read; a 404 reads as "absent" ({@code null}). */
    GET,
    /** {@code PUT /kv/{key}?expect=OLD}: compare-and-set. */
    CAS,
    /** {@code DELETE /kv/{key}}: write "absent". */
    DELETE;

    /** Whether the operation changes the register when it takes effect. */
    public boolean isWrite() {
        return this != GET;
    }
}
