package dev.ddpm.train;

/** The loss or the weights became NaN or infinite; the run stopped without writing a checkpoint. */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
