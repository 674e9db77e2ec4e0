package io.clustermode.raft;

/**
 * What became of commands a follower forwarded with {@link RaftCore#forward(long, java.util.List)}.
 *
 * <p>{@link Outcome#APPENDED}: the leader of {@code term} appended them at {@code firstIndex}
 * onwards. Like a leader's own proposal, each is committed when an entry with that index and
 * term is applied (Log Matching: one index and term name one entry); another entry at its
 * index means it was not. {@link Outcome#REFUSED}: nothing was appended, the commands may be
 * tried again. {@link Outcome#UNKNOWN}: no answer came before the leader changed or an
 * election timeout passed; the commands may or may not be appended.
 *
 * @param id         the id the driver gave the batch
 * @param firstIndex where the first command went; 0 unless appended
 * @param term       the term of the appended entries; 0 unless appended
 * @param outcome    what happened
 */
public record ForwardResult(long id, long firstIndex, long term, Outcome outcome) {

    /** What happened to a forwarded batch. */
    public enum Outcome {
        /** Appended by the leader; committed or not, as its entries show. */
        APPENDED,
        /** Refused: nothing was appended. */
        REFUSED,
        /** No answer: may or may not be appended. */
        UNKNOWN
    }
}
