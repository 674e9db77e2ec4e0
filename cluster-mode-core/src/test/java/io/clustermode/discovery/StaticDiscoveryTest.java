package io.clustermode.discovery;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StaticDiscoveryTest {

    @Test
    void every_address_becomes_an_instance_with_a_cluster_port() {
        StaticDiscovery discovery = new StaticDiscovery("app", List.of("127.0.0.1:7600", "[::1]:7601", "node-3:7602"));
        List<ServiceInstance> instances = discovery.instances();
        assertThat(instances).extracting(ServiceInstance::host).containsExactly("127.0.0.1", "::1", "node-3");
        assertThat(instances).extracting(i -> i.transportAddress("cluster").orElseThrow())
                .containsExactly("127.0.0.1:7600", "[::1]:7601", "node-3:7602");
        assertThat(instances.get(0).serviceId()).isEqualTo("app");
    }

    @Test
    void an_address_without_a_port_is_refused_by_name() {
        assertThatThrownBy(() -> new StaticDiscovery("app", List.of("127.0.0.1")))
                .hasMessageContaining("'127.0.0.1'");
        assertThatThrownBy(() -> new StaticDiscovery("app", List.of("h:x"))).hasMessageContaining("'h:x'");
        assertThatThrownBy(() -> new StaticDiscovery("app", List.of("h:70000"))).hasMessageContaining("65535");
    }
}
