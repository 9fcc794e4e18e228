package dev.ddpm.diffusion;

/**
 * The coefficients of one reverse step from timestep {@code t}, in double precision. Every sampler
 * here takes steps of the same form:
 *
 * <pre>
 *   x0_hat = a * x_t - b * eps            (clamped to [-1, 1] when the schedule clips x0)
 *   x_prev = c * x0_hat + d * x_t + sigma * z
 * </pre>
 *
 * so a sampler is the list of its steps (its plan), and one loop ({@link ReverseProcess}) runs them
 * all.
 *
 * @param t the timestep the step starts from (the model is evaluated at it)
 * @param a {@code 1 / sqrt(abar_t)}
 * @param b {@code sqrt(1 / abar_t - 1)}
 * @param c coefficient of {@code x0_hat}
 * @param d coefficient of {@code x_t}
 * @param sigma standard deviation of the added noise
 */
public record ReverseStep(int t, double a, double b, double c, double d, double sigma) {

    /**
     * The DDPM ancestral step: the posterior {@code q(x_{t-1} | x_t, x0_hat)} with the schedule's
     * mean coefficients and standard deviation.
     */
    public static ReverseStep ddpm(NoiseSchedule schedule, int t) {
        double abar = schedule.alphaCumprod(t);
        return new ReverseStep(
                t,
                1 / Math.sqrt(abar),
                Math.sqrt(1 / abar - 1),
                schedule.posteriorMeanCoef1(t),
                schedule.posteriorMeanCoef2(t),
                Math.sqrt(schedule.posteriorVariance(t)));
    }

    /**
     * The DDIM step from {@code t} to the point of the schedule with cumulative product {@code
     * abarPrev}: {@code x_prev = sqrt(abar_prev) x0_hat + sqrt(1 - abar_prev - sigma^2) eps_hat +
     * sigma z}, where {@code eps_hat = (x_t - sqrt(abar) x0_hat) / sqrt(1 - abar)} is the noise
     * consistent with the (possibly clamped) {@code x0_hat}, and {@code sigma = eta sqrt((1 -
     * abar_prev) / (1 - abar) (1 - abar / abar_prev))}. With {@code abar_prev} of the previous
     * timestep and {@code eta = 1} this is the DDPM step.
     */
    public static ReverseStep ddim(NoiseSchedule schedule, int t, double abarPrev, double eta) {
        double abar = schedule.alphaCumprod(t);
        double sigma = eta * Math.sqrt((1 - abarPrev) / (1 - abar) * (1 - abar / abarPrev));
        double direction = Math.sqrt(Math.max(0, 1 - abarPrev - sigma * sigma));
        double sqrtOneMinusAbar = Math.sqrt(1 - abar);
        return new ReverseStep(
                t,
                1 / Math.sqrt(abar),
                Math.sqrt(1 / abar - 1),
                Math.sqrt(abarPrev) - direction * Math.sqrt(abar) / sqrtOneMinusAbar,
                direction / sqrtOneMinusAbar,
                sigma);
    }
}
