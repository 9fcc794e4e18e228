package dev.ddpm.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import dev.ddpm.common.UserException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns {@code --device auto|cpu|gpu|gpu:N} into a DJL device of the PyTorch engine. */
public final class Devices {

    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);
    private static final Pattern SPEC = Pattern.compile("auto|cpu|gpu(?::(\\d+))?");

    private Devices() {}

    /**
     * The parts of a well-formed spec; a {@link UserException} naming the allowed values otherwise.
     */
    static Matcher parse(String spec) {
        Matcher m = SPEC.matcher(spec == null ? "" : spec.trim());
        if (!m.matches()) {
            throw new UserException("--device must be auto, cpu, gpu or gpu:N, got '" + spec + "'");
        }
        return m;
    }

    public static Device resolve(String spec) {
        parse(spec);
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (EngineException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "cannot load the PyTorch engine: "
                            + e.getMessage()
                            + ". On a GPU machine without network set PYTORCH_LIBRARY_PATH and"
                            + " PYTORCH_FLAVOR; on CPU run through ./ddpm, which adds the CPU"
                            + " libtorch",
                    e);
        }
        Device device = choose(spec, engine.getGpuCount());
        LOG.info(
                "engine {} {}, libtorch {}, device {}",
                engine.getEngineName(),
                engine.getVersion(),
                libtorch(),
                device);
        return device;
    }

    /**
     * The device {@code spec} names where libtorch sees {@code gpus} GPUs; a {@link UserException}
     * when it names a GPU that is not there.
     */
    static Device choose(String spec, int gpus) {
        Matcher m = parse(spec);
        String s = spec.trim();
        if (s.equals("auto")) {
            return gpus > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        int index = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        if (gpus == 0) {
            throw new UserException(
                    "--device "
                            + s
                            + ": libtorch sees no GPU (loaded "
                            + libtorch()
                            + "); use --device cpu, or see README 'GPU' for the CUDA build");
        }
        if (index >= gpus) {
            throw new UserException(
                    "--device "
                            + s
                            + ": only "
                            + gpus
                            + " GPU(s) visible (gpu:0 .. gpu:"
                            + (gpus - 1)
                            + ")");
        }
        return Device.gpu(index);
    }

    private static String libtorch() {
        try {
            return ai.djl.pytorch.jni.LibUtils.getLibtorchPath();
        } catch (RuntimeException e) {
            return "(path unknown)";
        }
    }
}
