package dev.ddpm.common;

/**
 * Derives independent seeds from a run's seed, so that every random stream is a function of
 * counters.
 */
public final class Seeds {

    /** The golden-ratio increment of SplitMix64. */
    public static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private Seeds() {}

    /**
     * A non-negative seed for draw {@code index} (e.g. a training step) of a run seeded with {@code
     * seed}: neighbouring indices get unrelated streams, which plain {@code seed + index} would not
     * give.
     */
    public static long mix(long seed, long index) {
        return scramble(seed * GOLDEN_GAMMA + index + 0x632BE59BD9B4E019L) & Long.MAX_VALUE;
    }

    /**
     * SplitMix64's finalizer (Stafford's variant 13): every input bit affects every output bit.
     * Generators such as {@link java.util.SplittableRandom} do not scramble their seed, so nearby
     * seeds need it.
     */
    public static long scramble(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
