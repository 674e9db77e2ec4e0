package io.clustermode.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceList;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceListBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static io.clustermode.discovery.kubernetes.Fixtures.ports;
import static io.clustermode.discovery.kubernetes.Fixtures.ready;
import static io.clustermode.discovery.kubernetes.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A watch whose start is never answered (the client waits without limit; seen when a server
 * closes the socket right after the upgrade) must not hold the discovery's poll for good: the
 * poll gives up after the start timeout, and should the watch start later it is closed.
 */
class ListWatchStartTest {

    @Test
    void a_watch_that_never_starts_is_given_up_and_closed_if_it_starts_late() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger closedWatches = new AtomicInteger();
        FilterWatchListDeletable<EndpointSlice, EndpointSliceList, ?> resources = selection(release, closedWatches);
        ListWatch<EndpointSlice, EndpointSliceList> listWatch =
                new ListWatch<>("slices", resources, () -> { }, System::nanoTime, Duration.ofMillis(200));

        listWatch.list();
        long start = System.nanoTime();
        assertThatThrownBy(listWatch::watch).isInstanceOf(KubernetesClientException.class)
                .hasMessage("watch of slices did not start within 200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(listWatch.fresh(Duration.ZERO)).isFalse();
        assertThat(listWatch.items()).hasSize(1);

        release.countDown(); // the late start: nobody wants it any more
        await().atMost(Duration.ofSeconds(10)).until(() -> closedWatches.get() == 1);
        assertThat(listWatch.fresh(Duration.ZERO)).isFalse();
    }

    /** A selection that lists one slice and whose watch blocks until released. */
    @SuppressWarnings("unchecked")
    private static FilterWatchListDeletable<EndpointSlice, EndpointSliceList, ?> selection(
            CountDownLatch release, AtomicInteger closedWatches) {
        EndpointSliceList list = new EndpointSliceListBuilder()
                .withMetadata(new ListMetaBuilder().withResourceVersion("1").build())
                .addToItems(slice("cm-a", "IPv4", ports("cluster"), ready("cluster-mode-0", "10.0.0.10"))).build();
        Watch watch = closedWatches::incrementAndGet;
        return (FilterWatchListDeletable<EndpointSlice, EndpointSliceList, ?>) Proxy.newProxyInstance(
                ListWatchStartTest.class.getClassLoader(), new Class<?>[] {FilterWatchListDeletable.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("list") && method.getParameterCount() == 0) {
                        return list;
                    }
                    if (method.getName().equals("watch") && method.getParameterCount() == 2
                            && args[0] instanceof ListOptions) {
                        release.await();
                        return watch;
                    }
                    throw new UnsupportedOperationException(method.toString());
                });
    }
}
