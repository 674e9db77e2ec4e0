/**
 * cluster-mode's core: the {@link io.clustermode.Cluster} API an application holds, and the SPIs
 * it plugs into — discovery ({@code io.clustermode.discovery}), transport
 * ({@code io.clustermode.transport}) and storage ({@code io.clustermode.storage}). The Raft
 * core, the wire codec, the runtime and the membership rules are internals: open only to the
 * project's own modules that build on them (the Netty transport, the simulation, the testkit).
 */
module io.clustermode.core {
    requires org.slf4j;

    exports io.clustermode;
    exports io.clustermode.discovery;
    exports io.clustermode.transport;
    exports io.clustermode.storage;

    exports io.clustermode.raft to io.clustermode.netty, io.clustermode.simulation, io.clustermode.testkit;
    exports io.clustermode.codec to io.clustermode.netty;
    exports io.clustermode.runtime to io.clustermode.simulation, io.clustermode.netty, // netty: its tests run RaftNode over TCP
            io.clustermode.testkit; // the testkit runs real Cluster nodes on its own NodeRuntime
    exports io.clustermode.internal to io.clustermode.testkit; // ClusterAccess: a Cluster on a given runtime
    exports io.clustermode.membership to io.clustermode.simulation;

    uses io.clustermode.transport.TransportFactory;
}
