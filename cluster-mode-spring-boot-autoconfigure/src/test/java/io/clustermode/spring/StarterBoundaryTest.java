package io.clustermode.spring;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter is a module at the rim (DESIGN.md): it depends inward only, on the public API
 * ({@code io.clustermode}) and the SPIs (discovery, transport) — never on the Raft core, the codec,
 * the runtime, the membership rules, the storage, or another module's internals. The core never
 * learns it exists (its own LayeringTest and module descriptor keep that side).
 */
class StarterBoundaryTest {

    @Test
    void the_starter_sees_only_the_api_and_the_spis() {
        JavaClasses starter = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("io.clustermode.spring");
        assertThat(starter.size()).isGreaterThan(15);
        noClasses().that().resideInAPackage("io.clustermode.spring..")
                .should().dependOnClassesThat().resideInAnyPackage("io.clustermode.raft..", "io.clustermode.codec..",
                        "io.clustermode.runtime..", "io.clustermode.membership..", "io.clustermode.storage..",
                        "io.clustermode.netty..", "io.clustermode.cli..", "io.clustermode.simulation..")
                .as("the Spring Boot starter uses only the public API (io.clustermode) and the SPIs")
                .check(starter);
    }

    @Test
    void the_rule_catches_a_class_that_reaches_in() {
        JavaClasses fixture = new ClassFileImporter().importClasses(ReachesIn.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> noClasses()
                        .should().dependOnClassesThat().resideInAnyPackage("io.clustermode.runtime..")
                        .check(fixture))
                .isInstanceOf(AssertionError.class);
    }

    /** A class that uses the runtime: what the rule must refuse. */
    static final class ReachesIn {
        Object status(io.clustermode.runtime.NodeStatus status) {
            return status;
        }
    }
}
