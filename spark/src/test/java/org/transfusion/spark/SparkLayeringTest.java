package org.transfusion.spark;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.transfusion.study.RunProcess;

/**
 * issue 28: the Spark module schedules the study layer's runs and depends on that layer, not on the command line
 * (which it used to need for RunProcess and ClusterEngine). Its tests still drive the CLI, as a user does.
 */
class SparkLayeringTest {
    @Test
    void sparkDependsOnTheStudyLayerNotOnTheCli() {
        JavaClasses spark = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.transfusion.spark");
        assertThat(spark).as("the module's own classes were found").isNotEmpty();
        noClasses().that().resideInAPackage("org.transfusion.spark..").should().dependOnClassesThat()
                .resideInAPackage("org.transfusion.cli..").check(spark);
    }

    @Test
    void theRunProcessStartsTheCliMainClass() {
        // RunProcess lives below the CLI and names its entry point as text: the two must agree.
        assertThat(RunProcess.MAIN_CLASS).isEqualTo(org.transfusion.cli.Main.class.getName());
    }
}
