package dev.ddpm.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * The second test tier: long trainings, the classifier's training, a fresh clone of the launcher,
 * other processes. {@code mvn test} leaves them out; {@code mvn test -Pslow} runs only them ({@code
 * .ci/run} runs both).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("slow")
public @interface Slow {}
