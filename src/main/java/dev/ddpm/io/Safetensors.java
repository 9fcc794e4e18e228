package dev.ddpm.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddpm.common.NativeArrays;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The safetensors format of Hugging Face: an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets}, an optional
 * {@code __metadata__} map of strings, then the raw little-endian tensor bytes.
 *
 * <p>Reading is as strict as the reference loader ({@code safetensors.torch.load_file}): a UTF-8
 * JSON object without duplicate keys, offsets and dimensions that are non-negative JSON integers,
 * metadata values that are strings, and tensors that, sorted by offset, cover the data bytes
 * exactly, without gap, overlap or trailing byte. The header is validated against the file's real
 * size before anything is allocated, so a malformed or hostile file is a {@link
 * SafetensorsException}, never a huge allocation or a read past the end. BF16 tensors are refused
 * because DJL aborts the JVM on them, and tensors of 2 GiB or more because a DJL array is made from
 * one Java buffer, which cannot hold more.
 */
public final class Safetensors {

    /**
     * Largest header accepted, as in the reference loader; real headers are a few kilobytes per
     * hundred tensors.
     */
    private static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE;

    /** Characters of a name or JSON value shown in a message; a hostile file may hold megabytes. */
    private static final int MAX_SHOWN = 80;

    private static final String METADATA = "__metadata__";

    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .build();

    private static final FiniteCheck ANY_VALUES = new FiniteCheck(name -> false, "");

    /** The tensors of a file, in header order, and its metadata. */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {}

    /** Where one tensor lives in a file. */
    public record Entry(String name, DataType dataType, Shape shape, long begin, long end) {}

    /** A parsed header: the tensors' locations and the metadata. */
    public record Header(
            Map<String, Entry> entries, Map<String, String> metadata, long dataStart) {}

    /**
     * The tensors that must hold only finite values (floating-point ones are checked on the bytes
     * read, before any array is made) and what the user should do with a file where one does not.
     */
    public record FiniteCheck(Predicate<String> tensors, String advice) {}

    private Safetensors() {}

    /** Reads every tensor into {@code manager}. */
    public static Contents read(Path file, NDManager manager) throws IOException {
        return read(file, manager, ANY_VALUES);
    }

    /**
     * Reads every tensor into {@code manager}, refusing the file when a tensor that {@code finite}
     * names holds NaN or infinity. On failure the arrays already made are closed.
     */
    public static Contents read(Path file, NDManager manager, FiniteCheck finite)
            throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (FileChannel channel = open(file)) {
            Header header = readHeader(file, channel);
            // One buffer for all tensors, since NativeArrays copies each out of it; the header has
            // been checked
            // against the file, so its largest tensor is in the file and under 2 GiB.
            int largest =
                    (int)
                            header.entries().values().stream()
                                    .mapToLong(e -> e.end() - e.begin())
                                    .max()
                                    .orElse(0);
            ByteBuffer data = ByteBuffer.allocateDirect(largest).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : header.entries().values()) {
                data.clear().limit((int) (e.end() - e.begin()));
                readFully(channel, data, header.dataStart() + e.begin(), file);
                data.flip();
                if (finite.tensors().test(e.name())) {
                    requireFinite(file, e, data, finite.advice());
                }
                NDArray array = NativeArrays.copyOf(manager, data, e.shape(), e.dataType());
                array.setName(e.name());
                tensors.put(e.name(), array);
            }
            return new Contents(tensors, header.metadata());
        } catch (IOException | RuntimeException e) {
            tensors.values().forEach(NDArray::close);
            throw e;
        }
    }

    /** Reads only the header (names, shapes, metadata) of a file. */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel channel = open(file)) {
            return readHeader(file, channel);
        }
    }

    /**
     * Opens {@code file} for reading; a folder, device or pipe is refused first (opening a pipe
     * waits for a writer that may never come).
     */
    private static FileChannel open(Path file) throws IOException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw bad(
                    file,
                    "is not a regular file (a folder, device or pipe); give a .safetensors file");
        }
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /** Writes the tensors (in map order) and metadata atomically. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA);
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
        AtomicFiles.write(
                file,
                out -> {
                    ByteBuffer len =
                            ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
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
            throw bad(
                    file,
                    "declares a header of "
                            + headerLen
                            + " bytes but the file has "
                            + size
                            + " bytes (truncated or not safetensors)");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(channel, headerBuf, 8, file);
        ObjectNode root = parseHeader(file, headerBuf.array());
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> entries = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals(METADATA)) {
                metadata = parseMetadata(file, f.getValue());
            } else {
                entries.put(f.getKey(), parseEntry(file, f.getKey(), f.getValue(), dataSize));
            }
        }
        requireTiling(file, entries.values(), dataSize);
        return new Header(entries, metadata, dataStart);
    }

    private static ObjectNode parseHeader(Path file, byte[] bytes) throws SafetensorsException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "has a header that is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw bad(file, "has a header that is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(file, "has a header that is not a JSON object");
        }
        if (!text.startsWith("{")) {
            throw bad(file, "has a header that does not begin with '{'");
        }
        return (ObjectNode) root;
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node)
            throws SafetensorsException {
        if (!node.isObject()) {
            throw bad(
                    file,
                    "has " + METADATA + " that is not a JSON object: " + shown(node.toString()));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> m = it.next();
            if (!m.getValue().isTextual()) {
                throw bad(
                        file,
                        "has metadata "
                                + quote(m.getKey())
                                + " whose value is not a string: "
                                + shown(m.getValue().toString()));
            }
            metadata.put(m.getKey(), m.getValue().textValue());
        }
        return metadata;
    }

    private static Entry parseEntry(Path file, String name, JsonNode node, long dataSize)
            throws SafetensorsException {
        JsonNode dtype = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (!node.isObject() || dtype == null || shapeNode == null || offsets == null) {
            throw bad(
                    file,
                    "has a malformed entry for tensor "
                            + quote(name)
                            + " (it needs dtype, shape and data_offsets)");
        }
        if (!dtype.isTextual()) {
            throw bad(
                    file,
                    "has tensor "
                            + quote(name)
                            + " whose dtype is not a string: "
                            + shown(dtype.toString()));
        }
        DataType type = dataType(file, name, dtype.textValue());
        if (!shapeNode.isArray()) {
            throw bad(
                    file,
                    "has tensor "
                            + quote(name)
                            + " whose shape is not a JSON array: "
                            + shown(shapeNode.toString()));
        }
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeInteger(shapeNode.get(i));
            if (shape[i] < 0) {
                throw bad(
                        file,
                        "has a negative or non-integer dimension "
                                + shown(shapeNode.get(i).toString())
                                + " in tensor "
                                + quote(name));
            }
            try {
                count = Math.multiplyExact(count, shape[i]);
            } catch (ArithmeticException e) {
                throw bad(file, "has an impossibly large shape for tensor " + quote(name));
            }
        }
        long begin =
                offsets.isArray() && offsets.size() == 2 ? nonNegativeInteger(offsets.get(0)) : -1;
        long end =
                offsets.isArray() && offsets.size() == 2 ? nonNegativeInteger(offsets.get(1)) : -1;
        if (begin < 0 || end < 0) {
            throw bad(
                    file,
                    "has data offsets "
                            + shown(offsets.toString())
                            + " for tensor "
                            + quote(name)
                            + "; they must be two non-negative integers");
        }
        if (end < begin) {
            throw bad(
                    file,
                    "has data offsets ["
                            + begin
                            + ", "
                            + end
                            + "] for tensor "
                            + quote(name)
                            + " that end before they begin");
        }
        long bytes = end - begin;
        // count <= bytes keeps count * size from overflowing
        if (count > bytes || count * type.getNumOfBytes() != bytes) {
            throw bad(
                    file,
                    "has "
                            + bytes
                            + " bytes for tensor "
                            + quote(name)
                            + " of shape "
                            + new Shape(shape)
                            + " and dtype "
                            + dtype.textValue());
        }
        if (bytes > MAX_TENSOR_BYTES) {
            throw bad(
                    file,
                    "has tensor "
                            + quote(name)
                            + " of "
                            + bytes
                            + " bytes; ddpm reads tensors of at most "
                            + MAX_TENSOR_BYTES
                            + " bytes (2 GiB)");
        }
        if (end > dataSize) {
            throw bad(
                    file,
                    "has data offsets ["
                            + begin
                            + ", "
                            + end
                            + "] for tensor "
                            + quote(name)
                            + " outside the "
                            + dataSize
                            + " data bytes");
        }
        return new Entry(name, type, new Shape(shape), begin, end);
    }

    /**
     * The reference loader's rule: sorted by offset, the tensors cover the data bytes exactly once.
     */
    private static void requireTiling(Path file, Collection<Entry> entries, long dataSize)
            throws SafetensorsException {
        List<Entry> sorted =
                entries.stream()
                        .sorted(
                                Comparator.comparingLong(Entry::begin)
                                        .thenComparingLong(Entry::end))
                        .toList();
        Entry previous = null;
        for (Entry e : sorted) {
            long covered = previous == null ? 0 : previous.end();
            if (e.begin() > covered) {
                throw bad(
                        file,
                        "has "
                                + (e.begin() - covered)
                                + " unused data bytes before tensor "
                                + quote(e.name())
                                + (previous == null
                                        ? ", its first"
                                        : ", after tensor " + quote(previous.name()))
                                + "; tensors must follow each other without gaps");
            }
            if (e.begin() < covered) {
                throw bad(
                        file,
                        "has tensor "
                                + quote(e.name())
                                + " at data offsets ["
                                + e.begin()
                                + ", "
                                + e.end()
                                + "] overlapping tensor "
                                + quote(previous.name())
                                + " at ["
                                + previous.begin()
                                + ", "
                                + previous.end()
                                + "]");
            }
            previous = e;
        }
        long covered = previous == null ? 0 : previous.end();
        if (covered < dataSize) {
            throw bad(
                    file,
                    "has "
                            + (dataSize - covered)
                            + " bytes after "
                            + (previous == null
                                    ? "its header but no tensors"
                                    : "its last tensor " + quote(previous.name()))
                            + " (trailing data)");
        }
    }

    /**
     * A JSON non-negative integer (saturated at {@code Long.MAX_VALUE}), or -1 for any other value.
     */
    private static long nonNegativeInteger(JsonNode node) {
        if (!node.isIntegralNumber() || node.bigIntegerValue().signum() < 0) {
            return -1;
        }
        return node.canConvertToLong() ? node.longValue() : Long.MAX_VALUE;
    }

    private static void requireFinite(Path file, Entry e, ByteBuffer data, String advice)
            throws SafetensorsException {
        long nonFinite = nonFiniteValues(data, e.dataType());
        if (nonFinite > 0) {
            throw bad(
                    file,
                    "has NaN or infinity in "
                            + nonFinite
                            + " of the "
                            + e.shape().size()
                            + " values of tensor "
                            + quote(e.name())
                            + "; "
                            + advice);
        }
    }

    /**
     * How many values of a floating-point tensor's little-endian bytes have all exponent bits set.
     */
    private static long nonFiniteValues(ByteBuffer data, DataType type) {
        long exponent =
                switch (type) {
                    case FLOAT16 -> 0x7c00L;
                    case FLOAT32 -> 0x7f80_0000L;
                    case FLOAT64 -> 0x7ff0_0000_0000_0000L;
                    default -> 0;
                };
        if (exponent == 0) {
            return 0;
        }
        int width = type.getNumOfBytes();
        long count = 0;
        for (int i = data.position(); i < data.limit(); i += width) {
            long bits =
                    width == 2 ? data.getShort(i) : width == 4 ? data.getInt(i) : data.getLong(i);
            if ((bits & exponent) == exponent) {
                count++;
            }
        }
        return count;
    }

    private static DataType dataType(Path file, String name, String dtype)
            throws SafetensorsException {
        switch (dtype) {
            case "F32":
                return DataType.FLOAT32;
            case "F64":
                return DataType.FLOAT64;
            case "F16":
                return DataType.FLOAT16;
            case "I64":
                return DataType.INT64;
            case "I32":
                return DataType.INT32;
            case "I8":
                return DataType.INT8;
            case "U8":
                return DataType.UINT8;
            case "BOOL":
                return DataType.BOOLEAN;
            default:
                throw bad(
                        file,
                        "has tensor "
                                + quote(name)
                                + " of unsupported dtype "
                                + shown(dtype)
                                + " (supported: F32, F64, F16, I64, I32, I8, U8, BOOL)");
        }
    }

    private static String dtypeName(DataType type, String name) {
        switch (type) {
            case FLOAT32:
                return "F32";
            case FLOAT64:
                return "F64";
            case FLOAT16:
                return "F16";
            case INT64:
                return "I64";
            case INT32:
                return "I32";
            case INT8:
                return "I8";
            case UINT8:
                return "U8";
            case BOOLEAN:
                return "BOOL";
            default:
                throw new IllegalArgumentException(
                        "cannot write tensor '" + name + "' of type " + type);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position, Path file)
            throws IOException {
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

    /** A tensor or metadata name between quotes, as {@link #shown}. */
    static String quote(String name) {
        return "'" + shown(name) + "'";
    }

    /**
     * Text from a file fit for a one-line message: control characters escaped, cut after {@value
     * #MAX_SHOWN}.
     */
    static String shown(String text) {
        StringBuilder b = new StringBuilder();
        text.codePoints()
                .limit(MAX_SHOWN)
                .forEach(
                        c -> {
                            if (Character.isISOControl(c)) {
                                b.append(String.format("\\u%04x", c));
                            } else {
                                b.appendCodePoint(c);
                            }
                        });
        return text.codePointCount(0, text.length()) > MAX_SHOWN
                ? b.append("...").toString()
                : b.toString();
    }
}
