package io.clustermode.raft;

/**
 * This node's health, as its driver's health checks report it, with hysteresis: unhealthy at
 * once on a failing report, healthy again only after {@link RaftConfig#healthRecoveryTicks()}
 * ticks in which every report passed. The hysteresis is what keeps a check that fails now and
 * then from bouncing leadership: a leader that handed over because of a failing check does not
 * count as healthy again, and so does not win back leadership, until it has passed for that long.
 * A node that never got a report is healthy. The core asks it; only reports and ticks change it.
 */
final class Health {

    private final int recoveryTicks;
    private boolean healthy = true;
    /** The latest report passed (or none came yet). */
    private boolean lastPassing = true;
    /** Ticks since the latest failing report, while the reports since have passed. */
    private int passingTicks;

    Health(RaftConfig config) {
        this.recoveryTicks = config.healthRecoveryTicks();
    }

    /** The driver's latest check result. Returns whether this node's health changed. */
    boolean report(boolean passing) {
        boolean was = healthy;
        if (!passing) {
            healthy = false;
            passingTicks = 0;
        } else if (!lastPassing) {
            passingTicks = 0; // the streak of passing reports starts now
        }
        lastPassing = passing;
        return was != healthy;
    }

    /** One tick. Returns whether this node became healthy again with it. */
    boolean tick() {
        if (healthy || !lastPassing) {
            return false;
        }
        if (++passingTicks >= recoveryTicks) {
            healthy = true;
            return true;
        }
        return false;
    }

    boolean healthy() {
        return healthy;
    }

    /** Ticks until this node counts as healthy again if its reports keep passing; MAX_VALUE when not recovering. */
    int ticksUntilRecovered() {
        return healthy || !lastPassing ? Integer.MAX_VALUE : recoveryTicks - passingTicks;
    }
}
