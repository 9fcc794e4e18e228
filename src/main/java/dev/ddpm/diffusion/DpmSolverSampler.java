package dev.ddpm.diffusion;

import dev.ddpm.config.TimestepSpacing;
import java.util.ArrayList;
import java.util.List;

/**
 * DPM-Solver++ (Lu et al. 2022) in data prediction, multistep, as diffusers' {@code
 * DPMSolverMultistepScheduler} with {@code lower_order_final} and {@code final_sigmas_type="zero"}:
 * deterministic given the initial noise, the first step first order (there is no history yet), the
 * last step first order to the end of the schedule (returning the model's x0 estimate there when
 * the schedule ends at no noise), and {@code order} (1 or 2) in between, each step combining this
 * step's x0 estimate with the previous one's (guided and clamped as used).
 *
 * <p>The first visited timestep is the last one whose log-SNR {@code lambda} is at least {@value
 * #LAMBDA_MIN_CLIPPED} (diffusers' {@code lambda_min_clipped}): the cosine schedule ends far below
 * the linear one's -5.06, where x0 estimates are too noisy to extrapolate from.
 */
public final class DpmSolverSampler implements Sampler {

    /** Smallest {@code lambda} a pass starts from. */
    public static final double LAMBDA_MIN_CLIPPED = -5.1;

    private final int steps;
    private final int order;
    private final TimestepSpacing spacing;

    /**
     * @param order 1 (which is DDIM with eta 0) or 2 (DPM-Solver++(2M))
     */
    public DpmSolverSampler(int steps, int order, TimestepSpacing spacing) {
        if (steps < 1) {
            throw new IllegalArgumentException("DPM-Solver++ needs at least 1 step, got " + steps);
        }
        if (order < 1 || order > 2) {
            throw new IllegalArgumentException("DPM-Solver++ order must be 1 or 2, got " + order);
        }
        this.steps = steps;
        this.order = order;
        this.spacing = spacing;
    }

    /**
     * The last timestep with {@code lambda >= }{@value #LAMBDA_MIN_CLIPPED}, where a pass starts.
     */
    public static int firstTimestep(NoiseSchedule schedule) {
        int t = schedule.timesteps() - 1;
        while (t > schedule.finalTimestep() && schedule.lambda(t) < LAMBDA_MIN_CLIPPED) {
            t--;
        }
        return t;
    }

    /** How many steps a pass over {@code schedule} can take at most. */
    public static int maxSteps(NoiseSchedule schedule) {
        return firstTimestep(schedule) - schedule.finalTimestep() + 1;
    }

    /** The timesteps visited, descending. */
    public int[] timesteps(NoiseSchedule schedule) {
        return Timesteps.spaced(spacing, schedule, firstTimestep(schedule), steps);
    }

    @Override
    public List<ReverseStep> plan(NoiseSchedule schedule) {
        int[] ts = timesteps(schedule);
        List<ReverseStep> plan = new ArrayList<>(ts.length);
        for (int i = 0; i < ts.length; i++) {
            boolean last = i + 1 == ts.length;
            double abarNext = last ? schedule.endAlphaCumprod() : schedule.alphaCumprod(ts[i + 1]);
            double abarBefore =
                    order == 2 && i > 0 && !last ? schedule.alphaCumprod(ts[i - 1]) : Double.NaN;
            plan.add(ReverseStep.dpmSolverPlusPlus(schedule, ts[i], abarNext, abarBefore));
        }
        return plan;
    }
}
