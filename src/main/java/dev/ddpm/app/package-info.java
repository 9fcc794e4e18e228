/**
 * The application: what a command does, callable from Java without the command line. {@link
 * dev.ddpm.app.TrainingRun} (start, resume), {@link dev.ddpm.app.Evaluation}, {@link
 * dev.ddpm.app.WeightImport}, {@link dev.ddpm.app.WeightExport} and {@link
 * dev.ddpm.app.ModelSource} (the checkpoint a generating command samples from, opened as a {@link
 * dev.ddpm.generate.Generator}), all within a {@link dev.ddpm.app.Workspace} that says where the
 * user's files and the installation's are. Services do the work and log it; they print nothing.
 * Layers: {@code cli -> app -> train, eval, generate, ...}; nothing below depends on this package.
 */
package dev.ddpm.app;
