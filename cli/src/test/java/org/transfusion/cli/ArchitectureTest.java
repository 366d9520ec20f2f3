package org.transfusion.cli;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.model.ModelRegistry;

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
     * Inside the engine, from the bottom: data; model; weights; init; hub (published weights, read off the model
     * cards; used by the trainer for provenance, and by study and cli to fetch); run (a run's spec, folder and resolved setup); eval; train; probe
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
                .whereLayer("model").mayOnlyBeAccessedByLayers("weights", "init", "hub", "run", "eval", "train", "probe")
                .check(classes);
    }

    /**
     * A file this project writes is read through its record (engine {@code run.record}, study {@code study.record},
     * or a class named {@code *Record}, such as the hub's {@code SidecarRecord}): no other class reads a field with
     * {@code JsonNode.path}, so a renamed key is a compile error in one place, never a silent NaN in a verdict.
     * Exempt, by name: {@code SafeTensors} only (the safetensors header is a third-party format, parsed where it is
     * checked).
     */
    @Test
    void onlyRecordsReadJsonFields() {
        ONLY_RECORDS_READ_JSON_FIELDS.check(classes);
    }

    private static final ArchRule ONLY_RECORDS_READ_JSON_FIELDS = noClasses()
            .that().resideOutsideOfPackages("org.transfusion.engine.run.record..", "org.transfusion.study.record..")
            .and().haveSimpleNameNotEndingWith("Record")
            .and().doNotHaveFullyQualifiedName("org.transfusion.engine.weights.SafeTensors")
            .should().callMethodWhere(JavaCall.Predicates.target(HasName.Predicates.name("path"))
                    .and(JavaCall.Predicates.target(HasOwner.Predicates.With.owner(
                            JavaClass.Predicates.assignableTo(JsonNode.class)))))
            .because("a file we write is read through its record (docs/ARCHITECTURE.md, run records)");

    /** The rule fails on a class that reads a field with {@code JsonNode.path} (imported alone, from the tests). */
    @Test
    void theRecordRuleReportsAClassReadingAFieldWithPath() {
        JavaClasses offender = new ClassFileImporter().importClasses(ReadsAJsonField.class);
        EvaluationResult result = ONLY_RECORDS_READ_JSON_FIELDS.evaluate(offender);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails()).anyMatch(d -> d.contains(ReadsAJsonField.class.getName())
                && d.contains("JsonNode.path(java.lang.String)"));
        assertThat(ONLY_RECORDS_READ_JSON_FIELDS.evaluate(new ClassFileImporter().importClasses(ArchitectureTest.class))
                .hasViolation()).as("a class that reads no field passes").isFalse();
    }

    /**
     * What a model is, is said by its card (engine {@code model}: the registry and the cards): nothing else compares
     * a model's name. ArchUnit sees no literals, so this reads every module's {@code src/main/java} and fails, by
     * file and line, on each string literal that is a registered model name or a piece of one that name surgery
     * uses (a family prefix such as {@code "cbr-"}, a suffix such as {@code "-slim"}) outside the {@code model}
     * package. Files where names are data, not comparisons, are listed in {@link #NAMES_AS_DATA} with the reason;
     * in them a name literal in a comparison ({@code .equals(}, {@code .startsWith(}, {@code case}...) still fails.
     */
    @Test
    void noModelNameIsComparedOutsideTheModelCards() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> offences = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> modules = Files.list(root)) {
            sources = modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).flatMap(d -> {
                try (Stream<Path> files = Files.walk(d)) {
                    return files.filter(f -> f.toString().endsWith(".java")).toList().stream();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().toList();
        }
        assertThat(sources).as("sources of every module").anyMatch(f -> f.endsWith("study/Findings.java"))
                .anyMatch(f -> f.endsWith("cli/WeightsCommand.java"));
        List<String> names = ModelRegistry.all().stream().map(ModelCard::name).toList();
        for (Path f : sources) {
            String unix = root.relativize(f).toString().replace('\\', '/');
            if (unix.contains("/org/transfusion/engine/model/")) {
                continue;
            }
            boolean data = NAMES_AS_DATA.keySet().stream().anyMatch(unix::endsWith);
            offences.addAll(nameLiterals(unix, Files.readString(f), names, data));
        }
        assertThat(offences).as("model names compared outside the model cards (ask ModelRegistry.get(name)'s card)")
                .isEmpty();
    }

    /**
     * The rule catches today's comparisons: the size scopes and the slim surgery as they were written before the
     * cards (Findings.isLarge/isSmall, Plan.add), while a name passed as data is allowed where names are data.
     */
    @Test
    void nameRuleCatchesComparisonsWithModelNames() {
        List<String> names = ModelRegistry.all().stream().map(ModelCard::name).toList();
        String findings = """
                class Findings {
                    // "resnet50" in a comment is no literal
                    static boolean isLarge(String model) {
                        return model.equals("resnet50") || model.equals("inception-v3");
                    }
                    static boolean isSmall(String model) {
                        return model.startsWith("cbr-") && !model.endsWith("-slim");
                    }
                    static String help = "e.g. --model resnet50-slim, \\"quoted\\"";
                }
                """;
        assertThat(nameLiterals("Findings.java", findings, names, false)).containsExactly(
                "Findings.java:4: \"resnet50\"", "Findings.java:4: \"inception-v3\"", "Findings.java:7: \"cbr-\"",
                "Findings.java:7: \"-slim\"");
        String presets = """
                List<String> models = List.of("resnet50", "cbr-small");
                if ("cbr-small".equals(model)) {}
                switch (model) { case "resnet18": }
                """;
        assertThat(nameLiterals("Presets.java", presets, names, true)).containsExactly(
                "Presets.java:2: \"cbr-small\" compared", "Presets.java:3: \"resnet18\" compared");
    }

    /** Files whose model-name literals are data (the rule still fails on a comparison in them), and why. */
    private static final Map<String, String> NAMES_AS_DATA = Map.of(
            "study/Presets.java", "a preset names the models it studies (its model lists and defaults)");

    private static final Pattern COMPARED_BEFORE = Pattern.compile(
            "(\\.(equals|equalsIgnoreCase|startsWith|endsWith|contains|indexOf|matches)\\(|\\bcase|==|!=)\\s*$");
    private static final Pattern COMPARED_AFTER = Pattern.compile(
            "^\\s*(\\.(equals|equalsIgnoreCase|contains|startsWith|endsWith)\\(|==|!=)");

    /**
     * The offending string literals of a Java source: "FILE:LINE: "LITERAL"" for each literal (comments skipped) that
     * is a model name, a hyphen-ended prefix of one or a hyphen-started suffix of one; where names are {@code data},
     * only those in a comparison ("... compared").
     */
    static List<String> nameLiterals(String file, String source, List<String> names, boolean data) {
        List<String> out = new ArrayList<>();
        int line = 1;
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (source.startsWith("//", i)) {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                line += (int) source.substring(i, end).chars().filter(ch -> ch == '\n').count();
                i = end;
            } else if (c == '\'') {
                i = source.charAt(i + 1) == '\\' ? source.indexOf('\'', i + 3) + 1 : i + 3;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
                line += (int) source.substring(i, end).chars().filter(ch -> ch == '\n').count();
                i = end;
            } else if (c == '"') {
                StringBuilder lit = new StringBuilder();
                int j = i + 1;
                while (j < n && source.charAt(j) != '"') {
                    if (source.charAt(j) == '\\') {
                        j++;
                    }
                    lit.append(source.charAt(j));
                    j++;
                }
                String l = lit.toString();
                if (isNamePiece(l, names)) {
                    String before = source.substring(source.lastIndexOf('\n', i) + 1, i);
                    int eol = source.indexOf('\n', j);
                    String after = source.substring(j + 1, eol < 0 ? n : eol);
                    boolean compared = COMPARED_BEFORE.matcher(before).find() || COMPARED_AFTER.matcher(after).find();
                    if (!data || compared) {
                        out.add(file + ":" + line + ": \"" + l + "\"" + (data ? " compared" : ""));
                    }
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return out;
    }

    private static boolean isNamePiece(String literal, List<String> names) {
        return names.contains(literal)
                || literal.length() > 1 && literal.endsWith("-") && names.stream().anyMatch(m -> m.startsWith(literal))
                || literal.length() > 1 && literal.startsWith("-") && names.stream().anyMatch(m -> m.endsWith(literal));
    }
}
