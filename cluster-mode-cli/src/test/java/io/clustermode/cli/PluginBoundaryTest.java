package io.clustermode.cli;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plug-in modules — the Netty transport, DNS and Kubernetes discovery — see only the
 * core's SPIs (the transport and discovery interfaces, the wire codec, the Raft messages
 * they carry and the {@code NodeId} that names peers), never the runtime, the membership layer, the storage or the API's own classes:
 * a plug-in can then be replaced without touching what it plugs into. Checked here because
 * this module's test classpath holds all of them.
 */
class PluginBoundaryTest {

    @Test
    void plug_ins_depend_only_on_the_cores_spis() {
        JavaClasses plugins = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("io.clustermode.netty", "io.clustermode.discovery.dns",
                        "io.clustermode.discovery.kubernetes");
        assertThat(plugins.size()).isGreaterThan(10);
        noClasses().that().resideInAnyPackage("io.clustermode.netty..", "io.clustermode.discovery.dns..",
                        "io.clustermode.discovery.kubernetes..")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("io.clustermode",
                        "io.clustermode.runtime..", "io.clustermode.membership..", "io.clustermode.storage..",
                        "io.clustermode.simulation..", "io.clustermode.cli..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.simpleName("NodeId")
                                .or(JavaClass.Predicates.simpleName("NodeId[]")))))
                .as("plug-ins see only the core's SPIs (transport, discovery, codec, raft messages)")
                .check(plugins);
    }
}
