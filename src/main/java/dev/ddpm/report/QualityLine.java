package dev.ddpm.report;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A line of {@code metrics.jsonl} that holds an in-training evaluation (the lines of logged steps
 * have a {@code loss} instead of an {@code eval}).
 *
 * @param step steps trained when the EMA weights were evaluated
 * @param epoch the epoch of that step (0-based)
 * @param eval what was measured
 * @param time when (ISO-8601, UTC)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QualityLine(long step, int epoch, Quality eval, String time) {}
