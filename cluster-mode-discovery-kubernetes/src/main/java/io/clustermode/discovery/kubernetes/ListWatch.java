package io.clustermode.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The resources of one selection (the slices of a service, or its Endpoints object), kept by
 * listing them and then watching from the list's resource version — what an informer does, done
 * here so that a refused list or watch surfaces as an exception of the call that made it, which
 * {@link KubernetesDiscovery} turns into one clear warning, rather than as an informer's own
 * error log and retry loop.
 *
 * <p>Threading: {@link #list()} and {@link #watch()} block and are called by one thread at a
 * time (the discovery's poll); watch events arrive on the client's threads. A short lock guards
 * the cache; no HTTP call is made under it, so an event never waits for one.
 */
final class ListWatch<T extends HasMetadata, L extends KubernetesResourceList<T>> {

    private static final Logger LOG = LoggerFactory.getLogger(ListWatch.class);

    private final String what;
    private final FilterWatchListDeletable<T, L, ?> resources;
    private final Runnable onChange;
    private final LongSupplier nanoTime;

    private final Object lock = new Object();
    private Map<String, T> cache = new TreeMap<>();
    private String resourceVersion;
    private long listedAt;
    private CacheWatcher current;
    private Watch watch;
    private boolean watching;
    private boolean closed;

    /**
     * @param what      the selection, for log messages
     * @param resources the selection
     * @param onChange  called, on the client's thread, after each event that changes the cache
     *                  and when the watch ends; must not block
     */
    ListWatch(String what, FilterWatchListDeletable<T, L, ?> resources, Runnable onChange, LongSupplier nanoTime) {
        this.what = what;
        this.resources = resources;
        this.onChange = onChange;
        this.nanoTime = nanoTime;
    }

    /**
     * Whether the cache can be trusted without asking the API server: a watch keeps it, and it
     * was listed less than {@code resyncPeriod} ago (zero: no limit).
     */
    boolean fresh(Duration resyncPeriod) {
        synchronized (lock) {
            return watching && (resyncPeriod.isZero() || nanoTime.getAsLong() - listedAt < resyncPeriod.toNanos());
        }
    }

    /**
     * Lists the selection, replacing the cache, and stops the watch if there is one (it would
     * apply events older than the list). Blocks for the request.
     *
     * @throws KubernetesClientException when the list fails; the cache is then unchanged
     */
    void list() {
        L list = resources.list();
        Watch old;
        synchronized (lock) {
            Map<String, T> items = new TreeMap<>();
            for (T item : list.getItems()) {
                items.put(item.getMetadata().getName(), item);
            }
            cache = items;
            resourceVersion = list.getMetadata() == null ? null : list.getMetadata().getResourceVersion();
            listedAt = nanoTime.getAsLong();
            old = watch;
            watch = null;
            current = null;
            watching = false;
        }
        if (old != null) {
            old.close();
        }
    }

    /**
     * Starts watching from the last list's resource version. Blocks until the watch is
     * established.
     *
     * @throws KubernetesClientException when the watch cannot start; the cache stays as listed,
     *                                   and {@link #fresh} false, so the next poll lists again
     */
    void watch() {
        CacheWatcher watcher;
        String version;
        synchronized (lock) {
            if (closed) {
                return; // closed while the list ran: start nothing that would outlive the discovery
            }
            watcher = new CacheWatcher();
            current = watcher;
            version = resourceVersion;
        }
        Watch started = resources.watch(new ListOptionsBuilder().withResourceVersion(version)
                .withAllowWatchBookmarks(true).build(), watcher);
        boolean stale;
        synchronized (lock) {
            stale = current != watcher; // listed again, or closed, meanwhile
            if (!stale) {
                watch = started;
                watching = true;
            }
        }
        if (stale) {
            started.close();
        }
    }

    /** The resources as last listed and watched, sorted by name. */
    List<T> items() {
        synchronized (lock) {
            return new ArrayList<>(cache.values());
        }
    }

    /** Stops the watch, and any watch that {@link #watch()} would start after this. */
    void close() {
        Watch old;
        synchronized (lock) {
            closed = true;
            old = watch;
            watch = null;
            current = null;
            watching = false;
        }
        if (old != null) {
            old.close();
        }
    }

    /** Applies the events of one watch to the cache, as long as it is the current one. */
    private final class CacheWatcher implements Watcher<T> {

        @Override
        public void eventReceived(Action action, T resource) {
            synchronized (lock) {
                if (current != this) {
                    return;
                }
                String name = resource.getMetadata().getName();
                switch (action) {
                    case ADDED:
                    case MODIFIED:
                        cache.put(name, resource);
                        break;
                    case DELETED:
                        cache.remove(name);
                        break;
                    default:
                        return; // BOOKMARK: only a resource version; ERROR: the client handles it
                }
            }
            LOG.debug("{}: {} {}", what, action, resource.getMetadata().getName());
            onChange.run();
        }

        @Override
        public void onClose(WatcherException cause) {
            // the client reconnects by itself after a dropped connection; it gives up only when
            // the version is gone (410) or the stream cannot be read: the next poll lists again
            ended("watch of " + what + " ended: " + cause.getMessage());
        }

        @Override
        public void onClose() {
            ended("watch of " + what + " closed");
        }

        private void ended(String message) {
            synchronized (lock) {
                if (current != this) {
                    return; // closed by us
                }
                current = null;
                watch = null;
                watching = false;
            }
            LOG.debug(message);
            onChange.run(); // so that the caller polls, and the poll lists again
        }
    }
}
