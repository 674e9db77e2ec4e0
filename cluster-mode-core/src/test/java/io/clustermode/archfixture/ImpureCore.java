package io.clustermode.archfixture;

import java.io.IOException;
import java.net.Socket;
import java.util.Random;
import java.util.UUID;

/** Breaks every purity rule on purpose, so the rules can be shown to fail. Never used. */
final class ImpureCore {

    long now() {
        return System.currentTimeMillis();
    }

    String id() {
        return UUID.randomUUID().toString();
    }

    int dice() {
        return new Random().nextInt(6);
    }

    void spawn() {
        new Thread(() -> { }).start();
    }

    void connect() throws IOException {
        new Socket("127.0.0.1", 1).close();
    }
}
