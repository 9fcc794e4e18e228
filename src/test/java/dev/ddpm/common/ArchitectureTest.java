package dev.ddpm.common;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The packages read as the architecture: each layer uses only the ones below it, and no cycle. */
class ArchitectureTest {

    private static final JavaClasses MAIN =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("dev.ddpm");

    @Test
    void noPackageCycles() {
        slices().matching("dev.ddpm.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void layersUseOnlyTheLayersBelow() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("common")
                .definedBy("dev.ddpm.common..")
                .layer("config")
                .definedBy("dev.ddpm.config..")
                .layer("io")
                .definedBy("dev.ddpm.io..")
                .layer("data")
                .definedBy("dev.ddpm.data..")
                .layer("diffusion")
                .definedBy("dev.ddpm.diffusion..")
                .layer("model")
                .definedBy("dev.ddpm.model..")
                .layer("generate")
                .definedBy("dev.ddpm.generate..")
                .layer("train")
                .definedBy("dev.ddpm.train..")
                .layer("eval")
                .definedBy("dev.ddpm.eval..")
                .layer("report")
                .definedBy("dev.ddpm.report..")
                .layer("app")
                .definedBy("dev.ddpm.app..")
                .layer("cli")
                .definedBy("dev.ddpm.cli..")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("app")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("report")
                .mayOnlyBeAccessedByLayers("app", "cli")
                .whereLayer("eval")
                .mayOnlyBeAccessedByLayers("report", "app", "cli")
                .whereLayer("train")
                .mayOnlyBeAccessedByLayers("report", "app", "cli")
                .whereLayer("generate")
                .mayOnlyBeAccessedByLayers("train", "eval", "report", "app", "cli")
                .whereLayer("model")
                .mayOnlyBeAccessedByLayers("generate", "train", "eval", "report", "app", "cli")
                .whereLayer("diffusion")
                .mayOnlyBeAccessedByLayers(
                        "model", "generate", "train", "eval", "report", "app", "cli")
                .whereLayer("data")
                .mayOnlyBeAccessedByLayers("train", "eval", "report", "app", "cli")
                .whereLayer("io")
                .mayOnlyBeAccessedByLayers(
                        "data", "generate", "train", "eval", "report", "app", "cli")
                .whereLayer("config")
                .mayOnlyBeAccessedByLayers(
                        "io",
                        "data",
                        "diffusion",
                        "model",
                        "generate",
                        "train",
                        "eval",
                        "report",
                        "app",
                        "cli")
                .check(MAIN);
    }
}
