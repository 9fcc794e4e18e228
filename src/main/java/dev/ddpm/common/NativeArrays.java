package dev.ddpm.common;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The only way Java data becomes device arrays in ddpm: every array made here owns its memory
 * inside libtorch.
 *
 * <p>On the CPU, DJL's PyTorch engine does not copy Java data: {@code NDManager.create(...)} and
 * {@code NDArray.set(Buffer)} make the tensor point into a Java direct buffer that lives only as
 * long as that one array object. Anything that keeps the tensor longer inside libtorch, autograd
 * saving it for the backward pass, a view, reads freed memory once the garbage collector has run.
 * The {@code Number} overloads ({@code x.mul(0.5f)}) are the worst case: they wrap the number in
 * such an array and close it right after the op. So ddpm creates scalars natively ({@link
 * #scalar}), copies host data into native memory ({@link #copyOf}) and copies between arrays
 * natively ({@link #copyInto}); {@code NativeMemoryRulesTest} keeps the other ways out of the code
 * base.
 */
public final class NativeArrays {

    private static final NDIndex ALL = new NDIndex("...");

    private NativeArrays() {}

    /** A float32 scalar, filled by libtorch. */
    public static NDArray scalar(NDManager manager, float value) {
        return manager.full(new Shape(), value, DataType.FLOAT32);
    }

    /**
     * An int64 array of {@code shape} filled with {@code value} by libtorch (exact for |value| <
     * 2^24).
     */
    public static NDArray filled(NDManager manager, Shape shape, long value) {
        if (Math.abs(value) >= 1 << 24) {
            throw new IllegalArgumentException("not exact as a float fill value: " + value);
        }
        return manager.full(shape, value, DataType.INT64);
    }

    /** float32 data of {@code shape}, copied into memory libtorch owns. */
    public static NDArray copyOf(NDManager manager, float[] data, Shape shape) {
        ByteBuffer bytes = direct(data.length * 4L);
        bytes.asFloatBuffer().put(data);
        return copyOf(manager, bytes, shape, DataType.FLOAT32);
    }

    /** int64 data of {@code shape}, copied into memory libtorch owns. */
    public static NDArray copyOf(NDManager manager, long[] data, Shape shape) {
        ByteBuffer bytes = direct(data.length * 8L);
        bytes.asLongBuffer().put(data);
        return copyOf(manager, bytes, shape, DataType.INT64);
    }

    /** A one-dimensional int64 array. */
    public static NDArray copyOf(NDManager manager, long[] data) {
        return copyOf(manager, data, new Shape(data.length));
    }

    /**
     * Raw little-endian bytes of {@code type} and {@code shape} (from position to limit), copied
     * into memory libtorch owns; the buffer may be reused afterwards.
     */
    public static NDArray copyOf(NDManager manager, ByteBuffer data, Shape shape, DataType type) {
        try (NDArray borrowed = manager.create(data, shape, type)) {
            // On a GPU the engine has already copied the data to the device; on the CPU the array
            // still
            // points into the buffer, and a native clone gives it memory of its own.
            NDArray owned =
                    borrowed.getDevice().isGpu()
                            ? borrowed.toType(type, true)
                            : borrowed.duplicate();
            owned.attach(manager);
            return owned;
        }
    }

    /**
     * Copies {@code source} into {@code target} inside libtorch (converting the type if needed);
     * {@code target} keeps its own memory, unlike {@code NDArray.copyTo}, which points it at a Java
     * buffer.
     */
    public static void copyInto(NDArray source, NDArray target) {
        if (!source.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException(
                    "cannot copy " + source.getShape() + " into " + target.getShape());
        }
        NDArray onDevice = source.toDevice(target.getDevice(), false);
        try {
            target.set(ALL, onDevice);
        } finally {
            if (onDevice != source) {
                onDevice.close();
            }
        }
    }

    private static ByteBuffer direct(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    }
}
