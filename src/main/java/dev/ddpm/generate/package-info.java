/**
 * Generation as one service: a checkpoint (or a model in memory) made ready to sample, and one
 * batched, seeded {@code generate} that sample, gif, eval, bench and the training previews all use.
 * Knows nothing of the command line.
 */
package dev.ddpm.generate;
