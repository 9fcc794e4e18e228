/**
 * The run configuration: the model, diffusion and training sections as immutable records, their
 * validation, and the only code that reads, overrides and compares configurations (JSON files,
 * {@code --set}, saved configurations). Knows no arrays, files of runs or command-line options.
 */
package dev.ddpm.config;
