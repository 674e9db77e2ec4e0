package io.clustermode.storage;

import java.io.IOException;

/**
 * Stored state that is damaged in a way that cannot be repaired without losing acknowledged
 * data, or that belongs to another cluster or node. The node refuses to start; the message is
 * one line that names the file and what is wrong with it.
 */
public final class StorageCorruptedException extends IOException {

    private static final long serialVersionUID = 1L;

    /** @param message what is damaged, naming the file */
    public StorageCorruptedException(String message) {
        super(message);
    }
}
