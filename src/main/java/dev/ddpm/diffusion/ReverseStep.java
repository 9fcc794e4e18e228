package dev.ddpm.diffusion;

/**
 * The coefficients of one reverse step from timestep {@code t}, in double precision. Every sampler
 * here takes steps of the same form:
 *
 * <pre>
 *   x0_hat = a * x_t - b * eps            (clamped to [-1, 1] when the schedule clips x0)
 *   x_prev = c * x0_hat + d * x_t + e * x0_hat_before + sigma * z
 * </pre>
 *
 * where {@code x0_hat_before} is the previous step's {@code x0_hat} (multistep solvers; {@code e =
 * 0} for the first step and for DDPM and DDIM), so a sampler is the list of its steps (its plan),
 * and one loop ({@link ReverseProcess}) runs them all.
 *
 * @param t the timestep the step starts from (the model is evaluated at it)
 * @param a {@code 1 / sqrt(abar_t)}
 * @param b {@code sqrt(1 / abar_t - 1)}
 * @param c coefficient of {@code x0_hat}
 * @param d coefficient of {@code x_t}
 * @param e coefficient of the previous step's {@code x0_hat}
 * @param sigma standard deviation of the added noise
 */
public record ReverseStep(int t, double a, double b, double c, double d, double e, double sigma) {

    /**
     * A step from {@code t} with the given combination of {@code x0_hat}, {@code x_t} and noise.
     */
    static ReverseStep from(
            NoiseSchedule schedule, int t, double c, double d, double e, double sigma) {
        double abar = schedule.alphaCumprod(t);
        return new ReverseStep(t, 1 / Math.sqrt(abar), Math.sqrt(1 / abar - 1), c, d, e, sigma);
    }

    /**
     * The DDPM ancestral step: the posterior {@code q(x_{t-1} | x_t, x0_hat)} with the schedule's
     * mean coefficients and standard deviation.
     */
    public static ReverseStep ddpm(NoiseSchedule schedule, int t) {
        return from(
                schedule,
                t,
                schedule.posteriorMeanCoef1(t),
                schedule.posteriorMeanCoef2(t),
                0,
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
        return from(
                schedule,
                t,
                Math.sqrt(abarPrev) - direction * Math.sqrt(abar) / sqrtOneMinusAbar,
                direction / sqrtOneMinusAbar,
                0,
                sigma);
    }

    /**
     * The DPM-Solver++ step (Lu et al. 2022, data prediction, the multistep "midpoint" form of
     * diffusers' {@code DPMSolverMultistepScheduler}) from {@code t} to the point with cumulative
     * product {@code abarNext}. With {@code alpha = sqrt(abar)}, {@code sigma = sqrt(1 - abar)},
     * {@code lambda = log(alpha / sigma)} and {@code h = lambda_next - lambda_t}:
     *
     * <pre>
     *   first order:  x_next = sigma_next / sigma_t x_t + alpha_next (1 - e^-h) x0_hat
     *   second order: the same with x0_hat + (x0_hat - x0_hat_before) / (2 r),
     *                 r = (lambda_t - lambda_before) / h
     * </pre>
     *
     * The first order is DDIM with eta 0; toward {@code abarNext = 1} it returns {@code x0_hat}.
     *
     * @param abarBefore the cumulative product where the previous step started, or NaN for a
     *     first-order step
     */
    public static ReverseStep dpmSolverPlusPlus(
            NoiseSchedule schedule, int t, double abarNext, double abarBefore) {
        double abar = schedule.alphaCumprod(t);
        double lambda = schedule.lambda(t);
        double h = NoiseSchedule.lambda(abarNext) - lambda;
        double x0Weight = -Math.sqrt(abarNext) * Math.expm1(-h);
        double keep = Math.sqrt((1 - abarNext) / (1 - abar));
        if (Double.isNaN(abarBefore)) {
            return from(schedule, t, x0Weight, keep, 0, 0);
        }
        double r = (lambda - NoiseSchedule.lambda(abarBefore)) / h;
        return from(schedule, t, x0Weight * (1 + 0.5 / r), keep, -x0Weight * 0.5 / r, 0);
    }
}
