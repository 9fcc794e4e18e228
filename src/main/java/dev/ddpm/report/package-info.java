/**
 * What a run shows the person training it: the quality measured while it trains (the {@code eval}
 * of the EMA weights every {@code train.eval_every_steps} steps and at the end), the best
 * checkpoint by a documented rule, and the self-contained HTML report of the run and of an
 * evaluation. Uses {@code train} and {@code eval} side by side, which neither may do; knows nothing
 * of the command line.
 */
package dev.ddpm.report;
