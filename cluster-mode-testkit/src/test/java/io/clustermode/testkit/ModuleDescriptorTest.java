package io.clustermode.testkit;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The testkit's module exports its one package; users get the core's API, the checker's
 * histories and JUnit's API with it; its nodes are the core's own Cluster, on the core's runtime seam.
 */
class ModuleDescriptorTest {

    @Test
    void the_testkit_exports_its_package_and_runs_the_cores_own_nodes() throws Exception {
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
        }
        assertThat(descriptor.name()).isEqualTo("io.clustermode.testkit");
        assertThat(descriptor.exports()).singleElement().satisfies(export -> {
            assertThat(export.source()).isEqualTo("io.clustermode.testkit");
            assertThat(export.isQualified()).isFalse();
        });
        Map<String, Boolean> transitive = new TreeMap<>();
        descriptor.requires().forEach(r -> transitive.put(r.name(),
                r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)));
        assertThat(transitive).containsEntry("io.clustermode.core", true)
                .containsEntry("io.clustermode.linearizability", true)
                .containsEntry("org.junit.jupiter.api", true)
                .doesNotContainKey("io.clustermode.simulation"); // real Cluster nodes, on the core's runtime seam
    }
}
