package dev.ddpm.common;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * Keeps Java-buffer-backed arrays out of ddpm (see {@link NativeArrays}): on the CPU they live only
 * as long as their Java object, and autograd or a view that outlives it reads freed memory after a
 * garbage collection, which made training results depend on the collector.
 */
class NativeMemoryRulesTest {

    private static final JavaClasses MAIN =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("dev.ddpm");

    @Test
    void noArithmeticWithJavaNumbersOnArrays() {
        noClasses()
                .should()
                .callMethodWhere(
                        onArrays(
                                "takes a java.lang.Number (DJL wraps it in a temporary"
                                        + " buffer-backed array)",
                                call ->
                                        call.getTarget().getRawParameterTypes().stream()
                                                        .anyMatch(
                                                                t -> t.isEquivalentTo(Number.class))
                                                // clip passes its bounds to libtorch as plain
                                                // scalars
                                                && !call.getTarget().getName().equals("clip")))
                .because(
                        "a scalar that autograd keeps must own its memory: use NativeArrays.scalar")
                .check(MAIN);
    }

    @Test
    void javaDataBecomesArraysOnlyThroughNativeArrays() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName(NativeArrays.class.getName())
                .should()
                .callMethodWhere(
                        new DescribedPredicate<JavaMethodCall>(
                                "NDManager.create from Java data, NDArray.set(Buffer) or"
                                        + " NDArray.copyTo") {
                            @Override
                            public boolean test(JavaMethodCall call) {
                                JavaClass owner = call.getTarget().getOwner();
                                String name = call.getTarget().getName();
                                boolean fromJavaData =
                                        call.getTarget().getRawParameterTypes().stream()
                                                .anyMatch(
                                                        t ->
                                                                !t.getPackageName()
                                                                                .startsWith(
                                                                                        "ai.djl")
                                                                        && !t.isEquivalentTo(
                                                                                String.class));
                                if (owner.isAssignableTo(NDManager.class)) {
                                    return name.equals("create") && fromJavaData;
                                }
                                if (owner.isAssignableTo(NDArray.class)) {
                                    return name.equals("copyTo")
                                            || name.equals("set")
                                                    && call
                                                            .getTarget()
                                                            .getRawParameterTypes()
                                                            .stream()
                                                            .anyMatch(
                                                                    t ->
                                                                            t.isAssignableTo(
                                                                                    Buffer.class));
                                }
                                return false;
                            }
                        })
                .because(
                        "arrays made from Java data must be copied into libtorch's memory: use"
                                + " NativeArrays")
                .check(MAIN);
    }

    private static DescribedPredicate<JavaMethodCall> onArrays(
            String what, java.util.function.Predicate<JavaMethodCall> test) {
        return new DescribedPredicate<>("a method of a DJL array that " + what) {
            @Override
            public boolean test(JavaMethodCall call) {
                JavaClass owner = call.getTarget().getOwner();
                return (owner.isAssignableTo(NDArray.class)
                                || owner.getName().equals("ai.djl.ndarray.NDArrays"))
                        && test.test(call);
            }
        };
    }
}
