/**
 * The reference's conditional U-Net as DJL blocks, one block per class, with the reference's
 * parameter names; it is a {@link dev.ddpm.diffusion.NoiseModel} to the samplers. Knows no files,
 * training or sampling loops.
 */
package dev.ddpm.model;
