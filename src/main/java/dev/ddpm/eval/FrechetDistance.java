package dev.ddpm.eval;

import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * The Fréchet distance between two Gaussians fitted to feature sets (the "FID" formula, here on the
 * features of {@link LeNet}): {@code ||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr sqrt(S1 S2)}.
 *
 * <p>{@code S1 S2} is not symmetric, but it is similar to the symmetric positive semi-definite
 * {@code sqrt(S1) S2 sqrt(S1)}, which has the same eigenvalues; so both square roots come from
 * eigendecompositions of symmetric matrices, with round-off negative eigenvalues clamped to zero.
 * Those are read off singular value decompositions (commons-math's, JAMA's algorithm), which always
 * converge: commons-math's symmetric eigen-solver gives up ("convergence failed") on some of the
 * rank-deficient covariances that a few images give, e.g. {@code eval --digit 3 --n 2}.
 */
public final class FrechetDistance {

    private FrechetDistance() {}

    public static double between(FeatureStatistics a, FeatureStatistics b) {
        if (a.dimension() != b.dimension()) {
            throw new IllegalArgumentException(
                    "feature dimensions differ: " + a.dimension() + " vs " + b.dimension());
        }
        return between(a.mean(), a.covariance(), b.mean(), b.covariance());
    }

    public static double between(
            RealVector mean1, RealMatrix cov1, RealVector mean2, RealMatrix cov2) {
        RealVector diff = mean1.subtract(mean2);
        RealMatrix root1 = sqrtPsd(cov1);
        RealMatrix inner = root1.multiply(cov2).multiply(root1);
        double traceOfRoot = 0;
        for (double eigenvalue : SymmetricEigen.of(inner).values()) {
            traceOfRoot += Math.sqrt(Math.max(eigenvalue, 0));
        }
        double distance =
                diff.dotProduct(diff) + cov1.getTrace() + cov2.getTrace() - 2 * traceOfRoot;
        // Mathematically >= 0; identical sets can land a few ulps below.
        return Math.max(distance, 0);
    }

    /** The symmetric square root of a symmetric positive semi-definite matrix. */
    static RealMatrix sqrtPsd(RealMatrix m) {
        SymmetricEigen eigen = SymmetricEigen.of(m);
        double[] roots = eigen.values().clone();
        for (int i = 0; i < roots.length; i++) {
            roots[i] = Math.sqrt(Math.max(roots[i], 0));
        }
        RealMatrix v = eigen.vectors();
        return v.multiply(MatrixUtils.createRealDiagonalMatrix(roots)).multiply(v.transpose());
    }

    /**
     * The eigenvalues and eigenvectors (columns) of a symmetric matrix, from its singular value
     * decomposition {@code U S V^T}: the singular values are the eigenvalues' magnitudes, and a
     * column of {@code V} equals {@code U}'s for a positive eigenvalue, its negation for a negative
     * one.
     */
    record SymmetricEigen(double[] values, RealMatrix vectors) {
        static SymmetricEigen of(RealMatrix m) {
            SingularValueDecomposition svd = new SingularValueDecomposition(symmetric(m));
            double[] values = svd.getSingularValues().clone();
            RealMatrix u = svd.getU();
            RealMatrix v = svd.getV();
            for (int i = 0; i < values.length; i++) {
                if (u.getColumnVector(i).dotProduct(v.getColumnVector(i)) < 0) {
                    values[i] = -values[i];
                }
            }
            return new SymmetricEigen(values, u);
        }
    }

    /** {@code (m + m^T) / 2}: removes round-off asymmetry so the symmetric eigen-solver applies. */
    private static RealMatrix symmetric(RealMatrix m) {
        return m.add(m.transpose()).scalarMultiply(0.5);
    }
}
