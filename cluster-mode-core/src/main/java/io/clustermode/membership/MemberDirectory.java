package io.clustermode.membership;

import io.clustermode.NodeId;
import io.clustermode.codec.MalformedInputException;
import io.clustermode.codec.Wire;
import io.clustermode.transport.HostPort;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a member tells a node that asks who it is, beyond its {@link BootstrapGuard.Status}: the
 * primary it follows, where the members it knows listen, and how each came in. With it a node
 * that reached any member — a seed that is a secondary, a pod of the Service — finds the primary
 * and asks it to be added, and members learn where members they never discovered listen (a
 * member that joined through contact), so that whoever becomes primary can reach them.
 * Everything in it is a hint: a node uses an address only after it has reached that address
 * itself and got the named id back.
 *
 * <h2>Layout</h2>
 * Appended after the bytes of the status (older nodes read the status and ignore what follows):
 * <pre>
 *   u8  format = 1 (a reader that finds another value ignores the rest)
 *   u8  flags: bit 0 = full (the describer is the primary and has {@code maxNodes} members)
 *   optional node id of the primary the describer follows (u8 0/1, then the id)
 *   u16 entry count, at most {@link #MAX_ENTRIES}
 *   per entry: node id, address (u16 length + UTF-8, a {@code host:port}), u8 origin
 * </pre>
 *
 * @param primary the primary the describer follows (itself when it is the primary); null when
 *                it knows none
 * @param full    the describer is the primary and refuses new members: {@code maxNodes} reached
 * @param entries members of the describer's configuration whose address it knows, the primary's
 *                first; at most {@link #MAX_ENTRIES}
 */
public record MemberDirectory(NodeId primary, boolean full, List<Entry> entries) {

    /** How a member came into the cluster, as far as the describer knows. */
    public enum Origin {
        /** Not known to the describer (it has restarted since, and nobody told it). */
        UNKNOWN,
        /** It bootstrapped the cluster. */
        BOOTSTRAP,
        /** The primary's discovery named it. */
        DISCOVERY,
        /** It reached a member through its own discovery and asked to be added. */
        CONTACT;

        static Origin ofCode(int code) throws MalformedInputException {
            Origin[] all = values();
            if (code < 0 || code >= all.length) {
                throw new MalformedInputException("origin " + code + " outside 0.." + (all.length - 1));
            }
            return all[code];
        }
    }

    /**
     * One member.
     *
     * @param id      its id
     * @param address where its transport listens: a {@code host:port} a node can connect to
     * @param origin  how it came in
     */
    public record Entry(NodeId id, String address, Origin origin) {

        /** @throws IllegalArgumentException when {@code address} is not a {@code host:port} */
        public Entry {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(origin, "origin");
            HostPort.parse("the address of " + id, address);
        }

        int size() {
            return Wire.sizeOf(id) + 2 + address.getBytes(StandardCharsets.UTF_8).length + 1;
        }
    }

    /** The most entries a directory carries. */
    public static final int MAX_ENTRIES = 64;

    /** A directory that names nobody: what a node that is no member says, and what a peer that said nothing means. */
    public static final MemberDirectory EMPTY = new MemberDirectory(null, false, List.of());

    private static final int FORMAT = 1;

    /** Keeps the entries, the primary's first, at most {@link #MAX_ENTRIES}. */
    public MemberDirectory {
        List<Entry> sorted = new ArrayList<>(entries);
        NodeId first = primary;
        sorted.sort(Comparator.comparing((Entry e) -> !e.id().equals(first)).thenComparing(Entry::id));
        entries = List.copyOf(sorted.subList(0, Math.min(sorted.size(), MAX_ENTRIES)));
    }

    /** The address of {@code id}, when this directory names it. */
    public Optional<String> addressOf(NodeId id) {
        return entries.stream().filter(e -> e.id().equals(id)).map(Entry::address).findFirst();
    }

    /** The primary's address, when this directory names a primary and where it listens. */
    public Optional<String> primaryAddress() {
        return primary == null ? Optional.empty() : addressOf(primary);
    }

    /** Whether {@code id} is among the members this directory names. */
    public boolean names(NodeId id) {
        return entries.stream().anyMatch(e -> e.id().equals(id));
    }

    /**
     * The bytes of a self-description: {@code status} followed by this directory, with as many
     * entries as fit in {@code maxBytes} in all (the primary's first). When not even an empty
     * directory fits, {@code status} alone.
     */
    public byte[] appendTo(byte[] status, int maxBytes) {
        int size = status.length + 2 + Wire.sizeOfOptional(primary) + 2;
        if (size > maxBytes) {
            return status.clone();
        }
        List<Entry> fitting = new ArrayList<>();
        for (Entry entry : entries) {
            if (size + entry.size() > maxBytes) {
                break;
            }
            size += entry.size();
            fitting.add(entry);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(status);
        out.put((byte) FORMAT);
        out.put((byte) (full ? 1 : 0));
        Wire.putOptionalNodeId(out, primary);
        out.putShort((short) fitting.size());
        for (Entry entry : fitting) {
            Wire.putNodeId(out, entry.id());
            Wire.putString(out, entry.address());
            out.put((byte) entry.origin().ordinal());
        }
        return out.array();
    }

    /**
     * The directory in a peer's self-description, after its status. {@link #EMPTY} when there is
     * none (an older node, another transport) or when anything in it is malformed: a directory
     * is a hint, and a hint that does not read is no hint.
     */
    public static MemberDirectory readFrom(byte[] description) {
        try {
            ByteBuffer in = ByteBuffer.wrap(description);
            BootstrapGuard.Status.read(in);
            if (!in.hasRemaining() || (Wire.getByte(in) & 0xFF) != FORMAT) {
                return EMPTY;
            }
            int flags = Wire.getByte(in) & 0xFF;
            NodeId primary = Wire.getOptionalNodeId(in);
            int count = Wire.getShort(in) & 0xFFFF;
            if (count > MAX_ENTRIES) {
                return EMPTY;
            }
            List<Entry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                NodeId id = Wire.getNodeId(in);
                String address = Wire.getString(in);
                Origin origin = Origin.ofCode(Wire.getByte(in) & 0xFF);
                entries.add(new Entry(id, address, origin));
            }
            return new MemberDirectory(primary, (flags & 1) != 0, entries);
        } catch (MalformedInputException | IllegalArgumentException malformed) {
            return EMPTY;
        }
    }
}
