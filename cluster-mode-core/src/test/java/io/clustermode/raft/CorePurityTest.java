package io.clustermode.raft;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.RandomAccessFile;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Raft core stays pure: no threads, sockets, files, clocks or global randomness. This is
 * what makes the deterministic simulation possible; the rules below fail the build otherwise.
 */
class CorePurityTest {

    static final String CORE = "io.clustermode.raft..";

    static ArchRule noThreadsSocketsOrFiles(String packages) {
        return noClasses().that().resideInAPackage(packages)
                .should().dependOnClassesThat().resideInAnyPackage("java.util.concurrent..", "java.net..",
                        "java.nio.file..", "java.nio.channels..", "java.time..")
                .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
                .orShould().dependOnClassesThat().areAssignableTo(Runnable.class)
                .orShould().dependOnClassesThat().areAssignableTo(File.class)
                .orShould().dependOnClassesThat().areAssignableTo(FileInputStream.class)
                .orShould().dependOnClassesThat().areAssignableTo(FileOutputStream.class)
                .orShould().dependOnClassesThat().areAssignableTo(RandomAccessFile.class)
                .as("the Raft core uses no threads, sockets, files or clocks");
    }

    static ArchRule noClocksOrGlobalRandomness(String packages) {
        return noClasses().that().resideInAPackage(packages)
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(Instant.class, "now")
                .orShould().callMethod(LocalDateTime.class, "now")
                .orShould().callMethod(Math.class, "random")
                .orShould().callMethod(UUID.class, "randomUUID")
                .orShould().callMethod(ThreadLocalRandom.class, "current")
                .orShould().callConstructor(Random.class)
                .as("the Raft core reads no clock and uses only the seeded Random it is given");
    }

    private static JavaClasses classes(String packageName) {
        return new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests()).importPackages(packageName);
    }

    @Test
    void the_core_uses_no_threads_sockets_files_or_clocks() {
        JavaClasses core = classes("io.clustermode.raft");
        assertThat(core.size()).isGreaterThan(10);
        noThreadsSocketsOrFiles(CORE).check(core);
        noClocksOrGlobalRandomness(CORE).check(core);
    }

    @Test
    void the_rules_catch_a_class_that_breaks_them() {
        JavaClasses fixture = new ClassFileImporter().importPackages("io.clustermode.archfixture");
        EvaluationResult clocks = noClocksOrGlobalRandomness("io.clustermode.archfixture..").evaluate(fixture);
        EvaluationResult io = noThreadsSocketsOrFiles("io.clustermode.archfixture..").evaluate(fixture);
        assertThat(clocks.hasViolation()).isTrue();
        assertThat(clocks.getFailureReport().getDetails()).anyMatch(line -> line.contains("currentTimeMillis"))
                .anyMatch(line -> line.contains("randomUUID"))
                .anyMatch(line -> line.contains("Random.<init>"));
        assertThat(io.getFailureReport().getDetails()).anyMatch(line -> line.contains("java.lang.Thread"))
                .anyMatch(line -> line.contains("java.net.Socket"));
    }
}
