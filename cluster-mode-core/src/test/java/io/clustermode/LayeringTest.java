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
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleName;
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
        DescribedPredicate<JavaClass> identity = resideInAPackage(root).and(simpleName("NodeId").or(simpleName("NodeId[]")))
                .as("the node id");
        DescribedPredicate<JavaClass> api = resideInAPackage(root).and(DescribedPredicate.not(vocabulary))
                .and(DescribedPredicate.not(identity)).as("the API");
        return Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Identity").definedBy(identity)
                .layer("Raft").definedBy(root + ".raft..")
                .layer("Codec").definedBy(root + ".codec..")
                .layer("Storage").definedBy(root + ".storage..")
                .layer("Transport").definedBy(root + ".transport..")
                .layer("Discovery").definedBy(root + ".discovery")
                .layer("Vocabulary").definedBy(vocabulary)
                .layer("Runtime").definedBy(root + ".runtime..")
                .layer("Membership").definedBy(root + ".membership..")
                .layer("Api").definedBy(api)
                .whereLayer("Identity").mayNotAccessAnyLayer()
                .whereLayer("Raft").mayOnlyAccessLayers("Identity")
                .whereLayer("Codec").mayOnlyAccessLayers("Identity", "Raft")
                .whereLayer("Storage").mayOnlyAccessLayers("Identity", "Raft", "Codec")
                .whereLayer("Transport").mayOnlyAccessLayers("Identity", "Raft", "Codec")
                .whereLayer("Discovery").mayOnlyAccessLayers("Transport") // addresses: HostPort
                .whereLayer("Vocabulary").mayOnlyAccessLayers("Identity")
                .whereLayer("Runtime").mayOnlyAccessLayers("Identity", "Raft", "Codec", "Storage", "Transport",
                        "Vocabulary")
                .whereLayer("Membership").mayOnlyAccessLayers("Identity", "Raft", "Codec", "Storage", "Transport",
                        "Vocabulary", "Runtime", "Discovery")
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

    /** No type of the core's internals in a public signature of the API package: users see only the API. */
    static ArchRule apiSignaturesUseOnlyTheApi(String root) {
        return com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits().that().arePublic()
                .and().areDeclaredInClassesThat().resideInAPackage(root)
                .and().areDeclaredInClassesThat().arePublic()
                .should(new com.tngtech.archunit.lang.ArchCondition<com.tngtech.archunit.core.domain.JavaCodeUnit>(
                        "use no raft, runtime or canary type in their signature") {
                    @Override
                    public void check(com.tngtech.archunit.core.domain.JavaCodeUnit unit,
                                      com.tngtech.archunit.lang.ConditionEvents events) {
                        java.util.Set<JavaClass> involved = new java.util.HashSet<>(
                                unit.getReturnType().getAllInvolvedRawTypes());
                        unit.getParameterTypes().forEach(type -> involved.addAll(type.getAllInvolvedRawTypes()));
                        for (JavaClass type : involved) {
                            if (type.getPackageName().startsWith(root + ".raft")
                                    || type.getPackageName().startsWith(root + ".runtime")) {
                                events.add(com.tngtech.archunit.lang.SimpleConditionEvent.violated(unit,
                                        unit.getFullName() + " exposes " + type.getName()));
                            }
                        }
                    }
                }).allowEmptyShould(true);
    }

    @Test
    void the_api_exposes_no_internal_type() {
        JavaClasses core = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("io.clustermode");
        apiSignaturesUseOnlyTheApi("io.clustermode").check(core);
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
