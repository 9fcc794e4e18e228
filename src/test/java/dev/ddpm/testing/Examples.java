package dev.ddpm.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * The third test tier: every {@code ./ddpm} example of the documentation and the help, run in a
 * fresh clone. {@code mvn test} and {@code mvn test -Pslow} leave it out; {@code mvn test
 * -Pexamples} runs only it. It is not in {@code .ci/run} yet: it has not completed a run on the
 * 2-core machine (a tiny training now also evaluates itself, which makes each training example take
 * a minute or more there).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("examples")
public @interface Examples {}
