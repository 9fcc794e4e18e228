/**
 * The diffusion process as data and one loop: the noise schedule (host data), reverse steps and the
 * samplers that plan them (DDPM, DDIM), the loop that runs any plan on a device, and the loss.
 * Knows the model only as a {@link dev.ddpm.diffusion.NoiseModel}; knows no files.
 */
package dev.ddpm.diffusion;
