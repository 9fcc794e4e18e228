package dev.ddpm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {

    private final Random random = new Random(42);

    @Test
    void diagonalGaussiansMatchTheClosedForm() {
        double[] var1 = {1, 4, 0.25, 9};
        double[] var2 = {4, 1, 1, 9};
        RealVector mu1 = new ArrayRealVector(new double[] {0, 1, 2, 3});
        RealVector mu2 = new ArrayRealVector(new double[] {1, 1, 0, 3});
        double expected = 1 + 4; // ||mu1 - mu2||^2
        for (int i = 0; i < var1.length; i++) {
            expected += Math.pow(Math.sqrt(var1[i]) - Math.sqrt(var2[i]), 2);
        }
        double got =
                FrechetDistance.between(
                        mu1,
                        MatrixUtils.createRealDiagonalMatrix(var1),
                        mu2,
                        MatrixUtils.createRealDiagonalMatrix(var2));
        assertEquals(expected, got, 1e-12);
    }

    @Test
    void nonCommutingCovariancesMatchTheTwoByTwoClosedForm() {
        // For 2x2 matrices, Tr sqrt(S1 S2) = sqrt(Tr(S1 S2) + 2 sqrt(det S1 det S2)).
        for (int trial = 0; trial < 20; trial++) {
            RealMatrix s1 = randomCovariance(2);
            RealMatrix s2 = randomCovariance(2);
            RealVector zero = new ArrayRealVector(2);
            double traceRoot =
                    Math.sqrt(s1.multiply(s2).getTrace() + 2 * Math.sqrt(det2(s1) * det2(s2)));
            double expected = s1.getTrace() + s2.getTrace() - 2 * traceRoot;
            assertEquals(expected, FrechetDistance.between(zero, s1, zero, s2), 1e-9);
        }
    }

    @Test
    void isZeroForIdenticalGaussiansAndSymmetric() {
        RealMatrix s1 = randomCovariance(16);
        RealMatrix s2 = randomCovariance(16);
        RealVector mu1 = randomVector(16);
        RealVector mu2 = randomVector(16);
        assertEquals(0, FrechetDistance.between(mu1, s1, mu1, s1), 1e-8);
        assertEquals(
                FrechetDistance.between(mu1, s1, mu2, s2),
                FrechetDistance.between(mu2, s2, mu1, s1),
                1e-8);
    }

    @Test
    void isInvariantUnderARotationOfBothSets() {
        RealMatrix s1 = randomCovariance(8);
        RealMatrix s2 = randomCovariance(8);
        RealVector mu1 = randomVector(8);
        RealVector mu2 = randomVector(8);
        RealMatrix q = new QRDecomposition(randomMatrix(8)).getQ();
        double plain = FrechetDistance.between(mu1, s1, mu2, s2);
        double rotated =
                FrechetDistance.between(
                        q.operate(mu1),
                        q.multiply(s1).multiply(q.transpose()),
                        q.operate(mu2),
                        q.multiply(s2).multiply(q.transpose()));
        assertEquals(plain, rotated, 1e-9 * plain);
    }

    @Test
    void featureStatisticsGiveTheSampleMeanAndUnbiasedCovariance() {
        double[] rows = {1, 2, 3, 6, 5, 1};
        FeatureStatistics stats = new FeatureStatistics(2);
        stats.add(rows);
        assertEquals(3, stats.count());
        assertEquals(3, stats.mean().getEntry(0), 1e-12);
        assertEquals(3, stats.mean().getEntry(1), 1e-12);
        // deviations x: -2, 0, 2; y: -1, 3, -2 -> var x = 8/2, var y = 14/2, cov = (2 + 0 - 4)/2
        assertEquals(4, stats.covariance().getEntry(0, 0), 1e-12);
        assertEquals(7, stats.covariance().getEntry(1, 1), 1e-12);
        assertEquals(-1, stats.covariance().getEntry(0, 1), 1e-12);
    }

    private RealMatrix randomCovariance(int n) {
        RealMatrix a = randomMatrix(n);
        return a.multiply(a.transpose())
                .add(MatrixUtils.createRealIdentityMatrix(n).scalarMultiply(0.1));
    }

    private RealMatrix randomMatrix(int n) {
        double[][] m = new double[n][n];
        for (double[] row : m) {
            for (int j = 0; j < n; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return MatrixUtils.createRealMatrix(m);
    }

    private RealVector randomVector(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextGaussian();
        }
        return new ArrayRealVector(v);
    }

    private static double det2(RealMatrix m) {
        return m.getEntry(0, 0) * m.getEntry(1, 1) - m.getEntry(0, 1) * m.getEntry(1, 0);
    }
}
