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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The resources of one selection (the slices of a service, or its Endpoints object), kept by
 * listing them and then watching from the list's resource version — what an informer does, done
 * here so that a refused list or watch surfaces as an exception of the call that made it, which
 * {@link KubernetesDiscovery} turns into one clear warning, rather than as an informer's own
 * error log and retry loop.
 *
 * <p>Threading: {@link #list()} and {@link #watch()} block and are called by one thread at a
 * time (the discovery's poll); a watch starts on a short-lived thread of its own, which the
 * poll waits for a bounded time; watch events arrive on the client's threads. A short lock guards
 * the cache; no HTTP call is made under it, so an event never waits for one.
 */
final class ListWatch<T extends HasMetadata, L extends KubernetesResourceList<T>> {

    private static final Logger LOG = LoggerFactory.getLogger(ListWatch.class);

    /** How long a poll waits for a watch to start; without one, the next poll lists again. */
    static final Duration WATCH_START_TIMEOUT = Duration.ofSeconds(10);

    private final String what;
    private final FilterWatchListDeletable<T, L, ?> resources;
    private final Runnable onChange;
    private final LongSupplier nanoTime;
    private final Duration watchStartTimeout;

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
        this(what, resources, onChange, nanoTime, WATCH_START_TIMEOUT);
    }

    ListWatch(String what, FilterWatchListDeletable<T, L, ?> resources, Runnable onChange, LongSupplier nanoTime,
              Duration watchStartTimeout) {
        this.what = what;
        this.resources = resources;
        this.onChange = onChange;
        this.nanoTime = nanoTime;
        this.watchStartTimeout = watchStartTimeout;
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
     * established, or for at most the watch start timeout ({@link #WATCH_START_TIMEOUT}).
     *
     * <p>Why the bound: the client waits for a watch to start without limit, and a watch
     * whose socket the server closes right after the upgrade can leave that wait unanswered
     * for good (seen with the fabric8 client on Vert.x). Unbounded, one such watch would stop
     * every later poll of the discovery. So the watch starts on a thread of its own; a start
     * that comes too late finds itself stale and closes its watch.
     *
     * @throws KubernetesClientException when the watch cannot start, or not in time; the cache
     *                                   stays as listed, and {@link #fresh} false, so the next
     *                                   poll lists again
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
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                Watch watch = resources.watch(new ListOptionsBuilder().withResourceVersion(version)
                        .withAllowWatchBookmarks(true).build(), watcher);
                adopt(watcher, watch);
                started.complete(null);
            } catch (RuntimeException e) {
                started.completeExceptionally(e);
            }
        }, "cluster-mode-watch-start");
        starter.setDaemon(true);
        starter.start();
        try {
            started.get(watchStartTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            abandon(watcher);
            throw e.getCause() instanceof KubernetesClientException kce ? kce
                    : new KubernetesClientException("watch of " + what + " failed to start: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            abandon(watcher);
            throw new KubernetesClientException("watch of " + what + " did not start within "
                    + watchStartTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            abandon(watcher);
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while starting the watch of " + what);
        }
    }

    /** Keeps a watch that started, unless it is stale (listed again, closed or given up meanwhile). */
    private void adopt(CacheWatcher watcher, Watch started) {
        boolean stale;
        synchronized (lock) {
            stale = current != watcher;
            if (!stale) {
                watch = started;
                watching = true;
            }
        }
        if (stale) {
            started.close();
        }
    }

    /** Gives up a watch that did not start: should it start later, {@link #adopt} closes it. */
    private void abandon(CacheWatcher watcher) {
        synchronized (lock) {
            if (current == watcher) {
                current = null;
            }
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
