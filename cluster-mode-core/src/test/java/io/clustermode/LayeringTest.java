package io.clustermode;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layers of the core module, each seeing only the ones below it:
 * raft ← codec ← storage, transport ← runtime ← membership ← the API ({@code io.clustermode}).
 * The API's vocabulary — {@link StateMachine}, {@link Committed} and the
 * {@link ClusterException}s — is what the runtime speaks to the application in, so it sits
 * below the runtime although it lives in the API's package. Discovery is an SPI the membership
 * layer consumes; it reads addresses with the transport's {@code HostPort}.
 */
class LayeringTest {

    /** The layering rule for a tree of packages rooted at {@code root} (the real one, or a fixture's). */
    static ArchRule layering(String root) {
        DescribedPredicate<JavaClass> vocabulary = resideInAPackage(root)
                .and(assignableTo(StateMachine.class).or(assignableTo(Committed.class))
                        .or(assignableTo(ClusterException.class)))
                .as("the API's vocabulary (StateMachine, Committed, ClusterException)");
        DescribedPredicate<JavaClass> api = resideInAPackage(root).and(DescribedPredicate.not(vocabulary))
                .as("the API");
        return Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Raft").definedBy(root + ".raft..")
                .layer("Codec").definedBy(root + ".codec..")
                .layer("Storage").definedBy(root + ".storage..")
                .layer("Transport").definedBy(root + ".transport..")
                .layer("Discovery").definedBy(root + ".discovery")
                .layer("Vocabulary").definedBy(vocabulary)
                .layer("Runtime").definedBy(root + ".runtime..")
                .layer("Membership").definedBy(root + ".membership..")
                .layer("Api").definedBy(api)
                .whereLayer("Raft").mayNotAccessAnyLayer()
                .whereLayer("Codec").mayOnlyAccessLayers("Raft")
                .whereLayer("Storage").mayOnlyAccessLayers("Raft", "Codec")
                .whereLayer("Transport").mayOnlyAccessLayers("Raft", "Codec")
                .whereLayer("Discovery").mayOnlyAccessLayers("Transport") // addresses: HostPort
                .whereLayer("Vocabulary").mayOnlyAccessLayers("Raft")
                .whereLayer("Runtime").mayOnlyAccessLayers("Raft", "Codec", "Storage", "Transport", "Vocabulary")
                .whereLayer("Membership").mayOnlyAccessLayers("Raft", "Codec", "Storage", "Transport", "Vocabulary",
                        "Runtime", "Discovery")
                .whereLayer("Api").mayNotBeAccessedByAnyLayer()
                .as("the core's layers: raft <- codec <- storage, transport <- runtime <- membership <- API");
    }

    @Test
    void each_layer_of_the_core_sees_only_the_layers_below_it() {
        JavaClasses core = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("io.clustermode");
        assertThat(core.size()).isGreaterThan(50);
        layering("io.clustermode").check(core);
    }

    @Test
    void the_rule_catches_a_core_class_that_reaches_up() {
        JavaClasses fixture = new ClassFileImporter().importPackages("io.clustermode.archfixture.layers");
        EvaluationResult result = layering("io.clustermode.archfixture.layers").evaluate(fixture);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails())
                .anyMatch(line -> line.contains("CoreThatCallsUp") && line.contains("Driver"));
    }
}
