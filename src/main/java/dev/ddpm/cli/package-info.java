/**
 * The {@code ddpm} command line (picocli): one class per command, mixins that carry options only,
 * and the error handling that turns a {@link dev.ddpm.common.UserException} into one line and exit
 * code 2. Commands parse, call the packages below and print; nothing below depends on this package.
 */
package dev.ddpm.cli;
