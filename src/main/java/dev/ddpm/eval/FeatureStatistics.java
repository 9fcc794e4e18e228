package dev.ddpm.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.stat.correlation.StorelessCovariance;

/**
 * Mean and (unbiased) covariance of a set of feature vectors, accumulated batch by batch: each
 * batch is converted to double on its device and copied to the host once.
 */
public final class FeatureStatistics {

    private final int dimension;
    private final double[] sum;
    private final StorelessCovariance covariance;
    private long count;

    public FeatureStatistics(int dimension) {
        this.dimension = dimension;
        this.sum = new double[dimension];
        this.covariance = new StorelessCovariance(dimension, true);
    }

    /** Adds the rows of {@code features} {@code [B, dimension]}. */
    public void add(NDArray features) {
        if (features.getShape().dimension() != 2 || features.getShape().get(1) != dimension) {
            throw new IllegalArgumentException(
                    "features must be [B, " + dimension + "], got " + features.getShape());
        }
        double[] values;
        try (NDArray asDouble = features.toType(DataType.FLOAT64, false)) {
            values = asDouble.toDoubleArray();
        }
        add(values);
    }

    /** Adds feature vectors stored row after row in {@code rows}. */
    public void add(double[] rows) {
        if (rows.length % dimension != 0) {
            throw new IllegalArgumentException(
                    rows.length + " values are not rows of " + dimension);
        }
        double[] row = new double[dimension];
        for (int offset = 0; offset < rows.length; offset += dimension) {
            System.arraycopy(rows, offset, row, 0, dimension);
            covariance.increment(row);
            for (int i = 0; i < dimension; i++) {
                sum[i] += row[i];
            }
            count++;
        }
    }

    public long count() {
        return count;
    }

    public int dimension() {
        return dimension;
    }

    public RealVector mean() {
        requireTwo();
        return new ArrayRealVector(sum).mapDivideToSelf(count);
    }

    public RealMatrix covariance() {
        requireTwo();
        return covariance.getCovarianceMatrix();
    }

    private void requireTwo() {
        if (count < 2) {
            throw new IllegalStateException(
                    "statistics need at least 2 feature vectors, have " + count);
        }
    }
}
