/**
 * Files: safetensors (read strictly, written atomically), checkpoints and their header, run folders
 * (lock, retention, {@code latest}), the reference's weight layout, PNG and GIF writing. The only
 * package that reads checkpoint metadata. Knows the configuration, not models or training.
 */
package dev.ddpm.io;
