package io.clustermode.faults.nemesis;

/**
 * Run inside a namespace: joins it, cuts 127.0.0.2 -> 127.0.0.3, and shows a foreign address
 * is refused there too. Prints one line per step.
 */
public final class JoinProbe {

    private JoinProbe() {
    }

    public static void main(String[] args) {
        try (NetworkNamespace ns = NetworkNamespace.joinFromInside(args[0], 3)) {
            System.out.println("joined " + String.join(",", ns.addresses()));
            Partitions partitions = new Partitions(ns);
            partitions.oneWay("127.0.0.2", "127.0.0.3");
            System.out.println("cut");
            try {
                partitions.oneWay("127.0.0.2", "10.1.1.1");
                System.out.println("not refused");
            } catch (IllegalArgumentException e) {
                System.out.println("refused");
            }
        } catch (RuntimeException e) {
            System.out.println("failed " + e.getMessage());
        }
    }
}
