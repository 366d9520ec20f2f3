package org.transfusion.cli;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.fasterxml.jackson.databind.JsonNode;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/ARCHITECTURE.md, stated as rules over the compiled classes of every module (this module
 * sees them all). Maven already keeps modules from depending upward; these rules also hold inside a module,
 * where the compiler allows anything: no package cycle anywhere, and the engine's packages in their order.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.transfusion");
    }

    @Test
    void modulesDependDownwardOnly() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("cli").definedBy("org.transfusion.cli..")
                .layer("study").definedBy("org.transfusion.study..")
                .layer("engine").definedBy("org.transfusion.engine..")
                .layer("similarity").definedBy("org.transfusion.similarity..")
                .layer("base").definedBy("org.transfusion.io..", "org.transfusion.error..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("study").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("engine").mayOnlyBeAccessedByLayers("study", "cli")
                .whereLayer("similarity").mayOnlyBeAccessedByLayers("engine", "study", "cli")
                .check(classes);
    }

    @Test
    void similarityStaysFreeOfTheDeepLearningEngine() {
        noClasses().that().resideInAnyPackage("org.transfusion.similarity..", "org.transfusion.io..",
                "org.transfusion.error..").should().dependOnClassesThat().resideInAnyPackage("ai.djl..")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.transfusion.(*)..").should().beFreeOfCycles().check(classes);
        slices().matching("org.transfusion.engine.(*)..").should().beFreeOfCycles().check(classes);
    }

    /**
     * Inside the engine, from the bottom: data; model; weights; init; hub (published weights; used by the trainer for
     * provenance, and by study and cli to fetch); run (a run's spec, folder and resolved setup); eval; train; probe
     * (reads finished runs). Each may use the ones before it, never one after.
     */
    @Test
    void enginePackagesInOrder() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("probe").definedBy("org.transfusion.engine.probe..")
                .layer("train").definedBy("org.transfusion.engine.train..")
                .layer("eval").definedBy("org.transfusion.engine.eval..")
                .layer("run").definedBy("org.transfusion.engine.run..")
                .layer("init").definedBy("org.transfusion.engine.init..")
                .layer("hub").definedBy("org.transfusion.engine.hub..")
                .layer("weights").definedBy("org.transfusion.engine.weights..")
                .layer("model").definedBy("org.transfusion.engine.model..")
                .layer("data").definedBy("org.transfusion.engine.data..")
                .whereLayer("probe").mayNotBeAccessedByAnyLayer()
                .whereLayer("train").mayNotBeAccessedByAnyLayer()
                .whereLayer("eval").mayOnlyBeAccessedByLayers("train")
                .whereLayer("run").mayOnlyBeAccessedByLayers("eval", "train", "probe")
                .whereLayer("init").mayOnlyBeAccessedByLayers("run", "train", "probe")
                .whereLayer("hub").mayOnlyBeAccessedByLayers("train")
                .whereLayer("weights").mayOnlyBeAccessedByLayers("init", "run", "eval", "train", "probe")
                .whereLayer("model").mayOnlyBeAccessedByLayers("weights", "init", "run", "eval", "train", "probe")
                .check(classes);
    }

    /**
     * A file this project writes is read through its record (engine {@code run.record}, study {@code study.record},
     * or a class named {@code *Record}): no other class reads a field with {@code JsonNode.path}, so a renamed key is
     * a compile error in one place, never a silent NaN in a verdict. Exempt, by name: {@code SafeTensors} (the
     * safetensors header is a third-party format, parsed where it is checked), and files we write that are not yet
     * records (issue 28, part 2): the hub's sidecar ({@code Hub}), {@code .lease} and {@code attempts.jsonl}
     * ({@code RunLease}), {@code analysis/forgetting.json} ({@code ForgettingExperiment}) and
     * {@code analysis/paired-delong.json} ({@code PerformanceExperiment}).
     */
    @Test
    void onlyRecordsReadJsonFields() {
        DescribedPredicate<JavaCall<?>> jsonPath = JavaCall.Predicates.target(HasName.Predicates.name("path"))
                .and(JavaCall.Predicates.target(HasOwner.Predicates.With.owner(
                        JavaClass.Predicates.assignableTo(JsonNode.class))));
        noClasses().that().resideOutsideOfPackages("org.transfusion.engine.run.record..",
                        "org.transfusion.study.record..")
                .and().haveSimpleNameNotEndingWith("Record")
                .and().doNotHaveFullyQualifiedName("org.transfusion.engine.weights.SafeTensors")
                .and().doNotHaveFullyQualifiedName("org.transfusion.engine.hub.Hub")
                .and().doNotHaveFullyQualifiedName("org.transfusion.engine.run.RunLease")
                .and().doNotHaveFullyQualifiedName("org.transfusion.study.ForgettingExperiment")
                .and().doNotHaveFullyQualifiedName("org.transfusion.study.PerformanceExperiment")
                .should().callMethodWhere(jsonPath)
                .because("a file we write is read through its record (docs/ARCHITECTURE.md, run records)")
                .check(classes);
    }
}
