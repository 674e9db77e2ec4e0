package io.clustermode;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core's module descriptor (compiled from {@code module-info.java}) exports the API and the
 * SPIs to everyone, and its internals only to the project's own modules that build on them: a
 * user on the module path cannot reach the Raft core, the codec or the runtime.
 */
class ModuleDescriptorTest {

    @Test
    void the_core_exports_the_api_and_the_spis_and_its_internals_only_to_its_own_modules() throws Exception {
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
        }
        assertThat(descriptor.name()).isEqualTo("io.clustermode.core");
        Set<String> open = new TreeSet<>();
        Map<String, Set<String>> qualified = new TreeMap<>();
        for (ModuleDescriptor.Exports export : descriptor.exports()) {
            if (export.isQualified()) {
                qualified.put(export.source(), new TreeSet<>(export.targets()));
            } else {
                open.add(export.source());
            }
        }
        assertThat(open).containsExactly("io.clustermode", "io.clustermode.discovery", "io.clustermode.storage",
                "io.clustermode.transport");
        assertThat(qualified.keySet()).containsExactly("io.clustermode.codec", "io.clustermode.internal",
                "io.clustermode.membership", "io.clustermode.raft", "io.clustermode.runtime");
        assertThat(qualified.get("io.clustermode.internal")).containsExactly("io.clustermode.testkit");
        qualified.values().forEach(targets -> assertThat(targets).allMatch(t -> t.startsWith("io.clustermode.")));
        assertThat(descriptor.uses()).contains("io.clustermode.transport.TransportFactory");
        assertThat(descriptor.packages()).contains("io.clustermode.raft"); // there, but not for users
    }
}
