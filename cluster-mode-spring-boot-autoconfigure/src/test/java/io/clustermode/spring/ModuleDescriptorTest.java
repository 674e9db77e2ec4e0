package io.clustermode.spring;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's module descriptor exports its three packages and nothing else, opens them to
 * Spring's reflection only, and reaches the core through its exported API (the core exports
 * no internals to this module).
 */
class ModuleDescriptorTest {

    @Test
    void the_autoconfigure_module_exports_its_packages_and_opens_them_to_spring_only() throws Exception {
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
        }
        assertThat(descriptor.name()).isEqualTo("io.clustermode.spring.boot.autoconfigure");
        Set<String> exports = new TreeSet<>();
        for (ModuleDescriptor.Exports export : descriptor.exports()) {
            assertThat(export.isQualified()).as(export.source()).isFalse();
            exports.add(export.source());
        }
        assertThat(exports).containsExactly("io.clustermode.spring", "io.clustermode.spring.actuate",
                "io.clustermode.spring.autoconfigure");
        for (ModuleDescriptor.Opens opens : descriptor.opens()) {
            assertThat(opens.targets()).as(opens.source()).isNotEmpty().allMatch(t -> t.startsWith("spring."));
        }
        assertThat(descriptor.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                .contains("io.clustermode.core", "spring.boot.autoconfigure");
    }
}
