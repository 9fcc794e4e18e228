package dev.ddpm.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddpm.common.NativeArrays;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format of Hugging Face: an 8-byte little-endian header length, a JSON header mapping
 * each tensor name to {@code dtype}, {@code shape} and {@code data_offsets}, an optional
 * {@code __metadata__} map of strings, then the raw little-endian tensor bytes.
 *
 * <p>Reading validates the header against the file's real size before allocating anything, so a
 * malformed or hostile file is a {@link SafetensorsException}, never a huge allocation or a read past
 * the end. BF16 tensors are refused because DJL aborts the JVM on them.
 */
public final class Safetensors {

    /** Largest header accepted; real headers are a few kilobytes per hundred tensors. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The tensors of a file, in header order, and its metadata. */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {}

    /** Where one tensor lives in a file. */
    public record Entry(String name, DataType dataType, Shape shape, long begin, long end) {}

    /** A parsed header: the tensors' locations and the metadata. */
    public record Header(Map<String, Entry> entries, Map<String, String> metadata, long dataStart) {}

    private Safetensors() {}

    /** Reads every tensor into {@code manager}. */
    public static Contents read(Path file, NDManager manager) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, channel);
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Entry e : header.entries().values()) {
                ByteBuffer data = ByteBuffer.allocateDirect((int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
                readFully(channel, data, header.dataStart() + e.begin(), file);
                data.flip();
                NDArray array = NativeArrays.copyOf(manager, data, e.shape(), e.dataType());
                array.setName(e.name());
                tensors.put(e.name(), array);
            }
            return new Contents(tensors, header.metadata());
        }
    }

    /** Reads only the header (names, shapes, metadata) of a file. */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, channel);
        }
    }

    /** Writes the tensors (in map order) and metadata atomically. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> t : tensors.entrySet()) {
            NDArray a = t.getValue();
            long bytes = a.size() * a.getDataType().getNumOfBytes();
            ObjectNode entry = header.putObject(t.getKey());
            entry.put("dtype", dtypeName(a.getDataType(), t.getKey()));
            ArrayNode shape = entry.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // the format pads the header with spaces to 8 bytes
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(json);
            for (int i = json.length; i < padded; i++) {
                out.write(' ');
            }
            for (NDArray a : tensors.values()) {
                ByteBuffer data = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                out.write(bytes);
            }
        });
    }

    private static Header readHeader(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw bad(file, "is too short to be safetensors (" + size + " bytes)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lenBuf, 0, file);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
            throw bad(file, "declares a header of " + headerLen + " bytes but the file has " + size
                    + " bytes (truncated or not safetensors)");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(channel, headerBuf, 8, file);
        JsonNode root;
        try {
            root = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw bad(file, "has a header that is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw bad(file, "has a header that is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> entries = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            entries.put(f.getKey(), parseEntry(file, f.getKey(), f.getValue(), dataSize));
        }
        return new Header(entries, metadata, dataStart);
    }

    private static Entry parseEntry(Path file, String name, JsonNode node, long dataSize) throws SafetensorsException {
        JsonNode dtype = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtype == null || shapeNode == null || !shapeNode.isArray() || offsets == null || !offsets.isArray()
                || offsets.size() != 2) {
            throw bad(file, "has a malformed entry for tensor '" + name + "'");
        }
        DataType type = dataType(file, name, dtype.asText());
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!shapeNode.get(i).canConvertToLong() || shapeNode.get(i).asLong() < 0) {
                throw bad(file, "has a negative or non-integer dimension in tensor '" + name + "'");
            }
            shape[i] = shapeNode.get(i).asLong();
            try {
                count = Math.multiplyExact(count, shape[i]);
            } catch (ArithmeticException e) {
                throw bad(file, "has an impossibly large shape for tensor '" + name + "'");
            }
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataSize) {
            throw bad(file, "has data offsets [" + begin + ", " + end + "] for tensor '" + name
                    + "' outside the " + dataSize + " data bytes");
        }
        if (count > dataSize || end - begin != count * type.getNumOfBytes()) {
            throw bad(file, "has " + (end - begin) + " bytes for tensor '" + name + "' of shape "
                    + new Shape(shape) + " and dtype " + dtype.asText());
        }
        return new Entry(name, type, new Shape(shape), begin, end);
    }

    private static DataType dataType(Path file, String name, String dtype) throws SafetensorsException {
        switch (dtype) {
            case "F32": return DataType.FLOAT32;
            case "F64": return DataType.FLOAT64;
            case "F16": return DataType.FLOAT16;
            case "I64": return DataType.INT64;
            case "I32": return DataType.INT32;
            case "I8": return DataType.INT8;
            case "U8": return DataType.UINT8;
            case "BOOL": return DataType.BOOLEAN;
            default:
                throw bad(file, "has tensor '" + name + "' of unsupported dtype " + dtype
                        + " (supported: F32, F64, F16, I64, I32, I8, U8, BOOL)");
        }
    }

    private static String dtypeName(DataType type, String name) {
        switch (type) {
            case FLOAT32: return "F32";
            case FLOAT64: return "F64";
            case FLOAT16: return "F16";
            case INT64: return "I64";
            case INT32: return "I32";
            case INT8: return "I8";
            case UINT8: return "U8";
            case BOOLEAN: return "BOOL";
            default: throw new IllegalArgumentException("cannot write tensor '" + name + "' of type " + type);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position, Path file) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw bad(file, "ends early (truncated)");
            }
            pos += n;
        }
    }

    private static SafetensorsException bad(Path file, String problem) {
        return new SafetensorsException(file + " " + problem);
    }
}
