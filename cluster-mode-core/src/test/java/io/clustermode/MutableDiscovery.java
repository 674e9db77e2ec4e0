package io.clustermode;

import io.clustermode.discovery.DiscoveryService;
import io.clustermode.discovery.ServiceInstance;
import io.clustermode.discovery.StaticDiscovery;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A discovery service whose answer a test changes; tells listeners at once, like a watch. */
final class MutableDiscovery implements DiscoveryService {

    private volatile List<ServiceInstance> instances = List.of();
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

    void show(List<String> addresses) {
        instances = new StaticDiscovery("test", addresses).instances();
        listeners.forEach(Runnable::run);
    }

    @Override
    public List<ServiceInstance> instances() {
        return instances;
    }

    @Override
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }
}
