/**
 * The training and test images: IDX files checked against the official MD5s, the reference's resize
 * and normalisation, batches on a device, the shuffled order of each epoch, and downloads. May use
 * {@code io} for atomic writes; knows nothing of models, diffusion or training.
 */
package dev.ddpm.data;
