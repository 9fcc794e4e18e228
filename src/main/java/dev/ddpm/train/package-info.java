/**
 * Training: the {@link dev.ddpm.train.DiffusionTrainer} (assembly, one step, state), Adam with
 * saved moments, the EMA and the learning rate, and a {@link dev.ddpm.train.TrainingLoop} whose
 * listeners log metrics, check for divergence, write checkpoints and previews. Knows nothing of the
 * command line.
 */
package dev.ddpm.train;
