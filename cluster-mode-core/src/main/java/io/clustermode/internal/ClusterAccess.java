package io.clustermode.internal;

import io.clustermode.Cluster;
import io.clustermode.ClusterConfig;
import io.clustermode.StateMachine;
import io.clustermode.runtime.NodeRuntime;
import io.clustermode.storage.RaftStorage;

import java.io.IOException;
import java.util.Objects;

/**
 * Starts a {@link Cluster} on a {@link NodeRuntime} and a storage of the caller's choosing: how
 * the testkit runs real {@code Cluster} instances on virtual time, without {@code Cluster}'s
 * public surface growing for it. Internal (exported only to the project's own modules);
 * applications call {@link Cluster#start(ClusterConfig, StateMachine)}.
 */
public final class ClusterAccess {

    /** What {@code Cluster} registers when its class is initialized. */
    public interface Starter {

        /** Starts a node as {@code Cluster.start} does, on {@code runtime}, keeping its state in {@code storage}. */
        <R, M extends StateMachine<R>> Cluster<R, M> start(ClusterConfig config, M machine, NodeRuntime runtime,
                                                            RaftStorage storage) throws IOException;
    }

    private static volatile Starter starter;

    private ClusterAccess() {
    }

    /** Called once, by {@code Cluster}'s static initializer. */
    public static void register(Starter clusterStarter) {
        if (starter != null) {
            throw new IllegalStateException("a Cluster starter is registered already");
        }
        starter = Objects.requireNonNull(clusterStarter, "starter");
    }

    /**
     * Starts a node whose clock, threads and randomness come from {@code runtime} and whose Raft
     * state is kept in {@code storage} (the config's data dir is not used). The config must name
     * the node ({@code nodeId}).
     *
     * @throws IOException when the transport cannot start
     */
    public static <R, M extends StateMachine<R>> Cluster<R, M> start(ClusterConfig config, M machine,
                                                                      NodeRuntime runtime, RaftStorage storage)
            throws IOException {
        try {
            Class.forName(Cluster.class.getName(), true, Cluster.class.getClassLoader()); // runs its registration
        } catch (ClassNotFoundException impossible) {
            throw new IllegalStateException(impossible);
        }
        return starter.start(config, machine, runtime, storage);
    }
}
