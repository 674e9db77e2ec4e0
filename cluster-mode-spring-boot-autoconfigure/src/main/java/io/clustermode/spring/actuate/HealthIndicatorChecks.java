package io.clustermode.spring.actuate;

import io.clustermode.Cluster;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

import java.util.List;

/**
 * Spring Boot health indicators as cluster health checks ({@link Cluster#addHealthCheck}): the
 * beans named by {@code cluster-mode.health.indicators} must each report UP for this node to be
 * healthy, and so to stay or become primary while a healthy voter exists. A composite contributor
 * counts as UP when every indicator in it does. The beans are looked up once every singleton
 * exists, so they may be declared anywhere; a name that finds no usable bean stops the start
 * with a message naming the property.
 */
public final class HealthIndicatorChecks implements SmartInitializingSingleton {

    /** The property that names the indicators. */
    public static final String PROPERTY = "cluster-mode.health.indicators";

    private final Cluster<?, ?> cluster;
    private final BeanFactory beans;
    private final List<String> names;

    /**
     * @param cluster the cluster whose primacy the indicators gate
     * @param beans   where the indicators are looked up
     * @param names   bean names; {@code db} also finds {@code dbHealthIndicator} or {@code dbHealthContributor}
     */
    public HealthIndicatorChecks(Cluster<?, ?> cluster, BeanFactory beans, List<String> names) {
        this.cluster = cluster;
        this.beans = beans;
        this.names = List.copyOf(names);
    }

    @Override
    public void afterSingletonsInstantiated() {
        for (String name : names) {
            HealthContributor contributor = contributor(name.trim());
            cluster.addHealthCheck("health indicator " + name.trim(), () -> up(contributor));
        }
    }

    /** The bean {@code name} names: itself, else {@code nameHealthIndicator}, else {@code nameHealthContributor}. */
    private HealthContributor contributor(String name) {
        String other = null; // a bean of the name that is no health contributor (e.g. "cluster", the Cluster)
        for (String candidate : List.of(name, name + "HealthIndicator", name + "HealthContributor")) {
            if (name.isEmpty() || !beans.containsBean(candidate)) {
                continue;
            }
            Object bean = beans.getBean(candidate);
            if (bean instanceof ClusterHealthIndicator) {
                throw new IllegalStateException(PROPERTY + " names '" + name + "', the cluster's own health:"
                        + " it is down whenever no primary is known, so it cannot decide who is primary");
            }
            if (bean instanceof HealthIndicator || bean instanceof CompositeHealthContributor) {
                return (HealthContributor) bean;
            }
            if (other == null) {
                other = "the bean '" + candidate + "' is a " + bean.getClass().getName();
            }
        }
        throw new IllegalStateException(PROPERTY + " names '" + name + "', but " + (other != null
                ? other + ", not a HealthIndicator or CompositeHealthContributor"
                : "there is no bean '" + name + "', '" + name + "HealthIndicator' or '" + name + "HealthContributor'"));
    }

    private static boolean up(HealthContributor contributor) {
        if (contributor instanceof HealthIndicator indicator) {
            return Status.UP.equals(indicator.health(false).getStatus());
        }
        if (contributor instanceof HealthContributors composite) {
            return composite.stream().allMatch(entry -> up(entry.contributor()));
        }
        return false; // no other kind of contributor exists; an unknown one cannot be called UP
    }
}
