package io.clustermode.raft;

import java.util.Collections;
import java.util.List;

/**
 * A batch of work the core hands its driver. The driver must carry it out in this order,
 * then call {@link RaftCore#advance(Ready)}:
 *
 * <ol>
 *   <li>send {@link #earlyMessages()} — they may go before persisting, or with the others;</li>
 *   <li>persist, durably: {@link #snapshot()} (if any), then {@link #entries()} (dropping any
 *       stored entries from the first new entry's index on), then {@link #hardState()} (if
 *       any). A node that answers before its disk holds the term, vote and entries it answers
 *       about can vote twice or lose acknowledged entries;</li>
 *   <li>send {@link #messages()};</li>
 *   <li>take note of {@link #forwardResults()}: the entries of an appended batch may be among
 *       the committed entries of this very Ready;</li>
 *   <li>restore the state machine from {@link #snapshot()} (if any), then apply
 *       {@link #committedEntries()} in order. The restore may come first, before persisting:
 *       the runtime does so, so that a snapshot its state machine cannot read never reaches
 *       the disk;</li>
 *   <li>answer {@link #readStates()} once the state machine has applied their index;</li>
 *   <li>tell the application of {@link #partitionEvents()};</li>
 *   <li>acknowledge with {@code advance}.</li>
 * </ol>
 *
 * @param hardState        term, vote and commit to persist; null when unchanged
 * @param entries          entries to persist; the first may overwrite stored entries
 * @param snapshot         a snapshot received from the leader, to persist and restore; null when none
 * @param earlyMessages    a leader's appends, heartbeats, snapshot chunks and TimeoutNow, which may
 *                         be sent before persisting (thesis §10.2.1: the leader writes its log in
 *                         parallel with replicating it, counting its own entries toward a majority
 *                         only once {@code advance} says they are durable). Always empty when this
 *                         Ready changes the term or the vote: nothing may be said in a term before
 *                         the term and vote are durable.
 * @param messages         messages to send, after persisting
 * @param committedEntries entries to apply, after persisting
 * @param readStates       outcomes of linearizable reads
 * @param forwardResults   what became of proposals this follower forwarded to its leader
 * @param stateChanges     changes of role, term or leader, in order
 * @param partitionEvents  partitions this node began or stopped holding, in order: the driver
 *                         tells the application (and stops its work) before {@code advance}, and
 *                         only then does the core report a given-up partition released
 * @param partitions       the partition table as applied, when it changed; null otherwise
 */
public record Ready(HardState hardState, List<Entry> entries, Snapshot snapshot, List<Message> earlyMessages,
                    List<Message> messages,
                    List<Entry> committedEntries, List<ReadState> readStates, List<ForwardResult> forwardResults,
                    List<StateChange> stateChanges, List<PartitionEvent> partitionEvents,
                    PartitionTable partitions) {

    /**
     * The lists are taken as they are, not copied (the core makes a Ready after every input, and
     * never touches a list again once a Ready holds it); they are only viewed unmodifiable.
     */
    public Ready {
        entries = view(entries);
        earlyMessages = view(earlyMessages);
        messages = view(messages);
        committedEntries = view(committedEntries);
        readStates = view(readStates);
        forwardResults = view(forwardResults);
        stateChanges = view(stateChanges);
        partitionEvents = view(partitionEvents);
    }

    private static <T> List<T> view(List<T> list) {
        return list.isEmpty() ? List.of() : Collections.unmodifiableList(list);
    }

    /** Whether there is anything to persist. */
    public boolean mustPersist() {
        return hardState != null || !entries.isEmpty() || snapshot != null;
    }
}
