package io.clustermode.fencing;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fencing module exports its one package and needs nothing of cluster-mode: a resource that
 * never runs a node takes it with the JDK, SLF4J and (for the filter only, optional) the servlet API.
 */
class ModuleDescriptorTest {

    @Test
    void the_fencing_module_exports_its_package_and_requires_no_cluster_mode_module() throws Exception {
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
        }
        assertThat(descriptor.name()).isEqualTo("io.clustermode.fencing");
        assertThat(descriptor.exports()).singleElement().satisfies(export -> {
            assertThat(export.source()).isEqualTo("io.clustermode.fencing");
            assertThat(export.isQualified()).isFalse();
        });
        Map<String, Set<ModuleDescriptor.Requires.Modifier>> requires = descriptor.requires().stream()
                .collect(Collectors.toMap(ModuleDescriptor.Requires::name, ModuleDescriptor.Requires::modifiers));
        assertThat(requires.keySet()).containsExactlyInAnyOrder("java.base", "java.sql", "java.net.http",
                "jakarta.servlet", "org.slf4j");
        assertThat(requires.get("jakarta.servlet")).contains(ModuleDescriptor.Requires.Modifier.STATIC);
    }
}
