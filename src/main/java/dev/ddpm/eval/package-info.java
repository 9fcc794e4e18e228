/**
 * Measuring generators: the LeNet classifier (trained once, cached), accuracy per digit and the
 * Fréchet distance with its floor, and the JSON report. Generates through {@code generate}; knows
 * nothing of the command line.
 */
package dev.ddpm.eval;
