package io.clustermode.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditionsBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KubernetesDiscoveryConfigTest {

    @Test
    void defaults() {
        KubernetesDiscoveryConfig config = KubernetesDiscoveryConfig.of("cluster-mode");
        assertThat(config.namespace()).isNull();
        assertThat(config.portName()).isEqualTo("cluster");
        assertThat(config.resyncPeriod()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.client()).isNull();
        assertThat(config.serviceAccountDir()).isEqualTo(Path.of("/var/run/secrets/kubernetes.io/serviceaccount"));
    }

    @Test
    void bad_options_are_refused_by_name() {
        KubernetesDiscoveryConfig ok = KubernetesDiscoveryConfig.of("cluster-mode");
        assertThatThrownBy(() -> KubernetesDiscoveryConfig.of("Cluster_Mode"))
                .hasMessageStartingWith("service (--k8s-service)").hasMessageContaining("'Cluster_Mode'");
        assertThatThrownBy(() -> KubernetesDiscoveryConfig.of("1abc")).hasMessageStartingWith("service (--k8s-service)");
        assertThatThrownBy(() -> KubernetesDiscoveryConfig.of(null)).hasMessageContaining("was nothing");
        assertThatThrownBy(() -> ok.withNamespace("-x")).hasMessageStartingWith("namespace (--k8s-namespace)");
        assertThatThrownBy(() -> ok.withPortName("")).hasMessageStartingWith("portName (--k8s-port-name)");
        assertThatThrownBy(() -> ok.withResyncPeriod(Duration.ofSeconds(-1))).hasMessageStartingWith("resyncPeriod");
        assertThat(ok.withNamespace("team-a").withPortName("raft").withResyncPeriod(Duration.ZERO).namespace())
                .isEqualTo("team-a");
    }

    @Test
    void an_endpoint_is_usable_when_ready_or_unknown_serving_and_not_terminating() {
        assertThat(Instances.usable(null)).isTrue();
        assertThat(Instances.usable(conditions(null, null, null))).isTrue();
        assertThat(Instances.usable(conditions(true, true, false))).isTrue();
        assertThat(Instances.usable(conditions(false, null, null))).isFalse();
        assertThat(Instances.usable(conditions(true, false, null))).isFalse();
        assertThat(Instances.usable(conditions(true, true, true))).isFalse();
    }

    private static EndpointConditions conditions(Boolean ready, Boolean serving, Boolean terminating) {
        return new EndpointConditionsBuilder().withReady(ready).withServing(serving).withTerminating(terminating)
                .build();
    }
}
