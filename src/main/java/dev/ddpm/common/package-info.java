/**
 * What every layer shares and nothing else: the one user-error type ({@link
 * dev.ddpm.common.UserException}), the only way Java data becomes native arrays ({@link
 * dev.ddpm.common.NativeArrays}), and seed mixing. Knows no other ddpm package.
 */
package dev.ddpm.common;
