package dev.ddpm.data;

/**
 * Bilinear resizing of 8-bit grayscale images exactly as Pillow's {@code Image.resize(size,
 * BILINEAR)} computes it, which is what the reference's {@code torchvision.transforms.Resize} runs
 * on MNIST's PIL images. Pillow samples at half-pixel centres (align_corners=false), renormalises
 * the triangle filter's weights where it meets the border, and works in two separable passes
 * (horizontal, then vertical) in 22-bit fixed point, rounding to uint8 after each pass. The
 * reference's {@code ToTensor} then sees those rounded uint8 values, so reproducing the rounding
 * here (rather than interpolating in floating point) is what makes the preprocessed images
 * identical to the reference's.
 */
final class PilBilinearResize {

    /** Pillow's {@code PRECISION_BITS} for 8-bit images: 32 - 8 - 2. */
    private static final int PRECISION_BITS = 22;

    private final int inRows;
    private final int inCols;
    private final int outRows;
    private final int outCols;
    private final Filter horizontal;
    private final Filter vertical;

    /**
     * Per output coordinate: the first input coordinate, the number of taps, and fixed-point
     * weights.
     */
    private record Filter(int[] first, int[] taps, int[] weights, int stride) {}

    PilBilinearResize(int inRows, int inCols, int outRows, int outCols) {
        this.inRows = inRows;
        this.inCols = inCols;
        this.outRows = outRows;
        this.outCols = outCols;
        this.horizontal = filter(inCols, outCols);
        this.vertical = filter(inRows, outRows);
    }

    /**
     * Pillow's {@code precompute_coeffs} with the bilinear (triangle) filter, then {@code
     * normalize_coeffs_8bpc}.
     */
    private static Filter filter(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = 1.0 * filterScale;
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] taps = new int[outSize];
        int[] weights = new int[outSize * stride];
        double inverseScale = 1.0 / filterScale;
        double[] w = new double[stride];
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale;
            int min = Math.max((int) (center - support + 0.5), 0);
            int n = Math.min((int) (center + support + 0.5), inSize) - min;
            double sum = 0;
            for (int k = 0; k < n; k++) {
                double x = Math.abs((k + min - center + 0.5) * inverseScale);
                w[k] = x < 1.0 ? 1.0 - x : 0.0;
                sum += w[k];
            }
            for (int k = 0; k < n; k++) {
                double normalized = sum != 0.0 ? w[k] / sum : w[k];
                // Weights of the triangle filter are never negative, so Pillow rounds them half up.
                weights[o * stride + k] = (int) (0.5 + normalized * (1 << PRECISION_BITS));
            }
            first[o] = min;
            taps[o] = n;
        }
        return new Filter(first, taps, weights, stride);
    }

    /**
     * Resizes one image from {@code src[srcOffset ..]} into {@code dst[dstOffset ..]}; {@code
     * scratch} holds the horizontal pass ({@code inRows * outCols} bytes).
     */
    void resize(byte[] src, int srcOffset, byte[] dst, int dstOffset, byte[] scratch) {
        for (int y = 0; y < inRows; y++) {
            int row = srcOffset + y * inCols;
            for (int x = 0; x < outCols; x++) {
                int acc = 1 << (PRECISION_BITS - 1);
                int from = horizontal.first[x];
                int k0 = x * horizontal.stride;
                for (int k = 0; k < horizontal.taps[x]; k++) {
                    acc += (src[row + from + k] & 0xff) * horizontal.weights[k0 + k];
                }
                scratch[y * outCols + x] = clip8(acc);
            }
        }
        for (int y = 0; y < outRows; y++) {
            int from = vertical.first[y];
            int k0 = y * vertical.stride;
            for (int x = 0; x < outCols; x++) {
                int acc = 1 << (PRECISION_BITS - 1);
                for (int k = 0; k < vertical.taps[y]; k++) {
                    acc += (scratch[(from + k) * outCols + x] & 0xff) * vertical.weights[k0 + k];
                }
                dst[dstOffset + y * outCols + x] = clip8(acc);
            }
        }
    }

    int scratchBytes() {
        return inRows * outCols;
    }

    private static byte clip8(int acc) {
        if (acc >= (1 << PRECISION_BITS << 8)) {
            return (byte) 255;
        }
        return acc <= 0 ? 0 : (byte) (acc >> PRECISION_BITS);
    }
}
