package dev.ddpm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A regression corpus of malformed files. The reference loader (safetensors 0.8.0) rejects them
 * too, except the duplicate key (its JSON parser keeps the last one, so the file says two things)
 * and the header with a leading space (the format's description requires a header that begins with
 * '{'). Each must be refused, by the header reader and the full reader alike, with one line that
 * names the file and the specific problem.
 */
class SafetensorsCorpusTest {

    @TempDir Path dir;

    /**
     * One malformed file: its header bytes, the header length it declares, its data bytes, and the
     * problem.
     */
    record Malformed(
            String description, byte[] header, long declaredLength, int dataBytes, String problem) {
        @Override
        public String toString() {
            return description;
        }
    }

    private static Malformed malformed(
            String description, String header, int dataBytes, String problem) {
        byte[] bytes = header.getBytes(StandardCharsets.UTF_8);
        return new Malformed(description, bytes, bytes.length, dataBytes, problem);
    }

    static Stream<Malformed> corpus() {
        byte[] notUtf8 = "{\"a\u00ff\":{}}".getBytes(StandardCharsets.ISO_8859_1);
        String oneFloat =
                """
                {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}\
                """;
        return Stream.of(
                malformed(
                        "duplicate key",
                        """
                        {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},\
                        "a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}\
                        """,
                        4,
                        "Duplicate field 'a'"),
                malformed(
                        "string offset",
                        """
                        {"a":{"dtype":"F32","shape":[1],"data_offsets":["0",4]}}\
                        """,
                        4,
                        "data offsets [\"0\",4] for tensor 'a'; they must be two non-negative"
                                + " integers"),
                malformed(
                        "fractional offset",
                        """
                        {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}}\
                        """,
                        4,
                        "data offsets [0,4.0] for tensor 'a'; they must be two non-negative"
                                + " integers"),
                malformed(
                        "negative offset",
                        """
                        {"a":{"dtype":"F32","shape":[0],"data_offsets":[-4,-4]}}\
                        """,
                        0,
                        "data offsets [-4,-4] for tensor 'a'; they must be two non-negative"
                                + " integers"),
                malformed(
                        "three offsets",
                        """
                        {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,4]}}\
                        """,
                        4,
                        "data offsets [0,4,4] for tensor 'a'; they must be two non-negative"
                                + " integers"),
                malformed(
                        "offsets that end before they begin",
                        """
                        {"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}\
                        """,
                        16,
                        "data offsets [8, 4] for tensor 'a' that end before they begin"),
                malformed(
                        "overlapping tensors",
                        """
                        {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
                        "b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}\
                        """,
                        8,
                        "has tensor 'b' at data offsets [4, 8] overlapping tensor 'a' at [0, 8]"),
                malformed(
                        "two tensors on the same bytes",
                        """
                        {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},\
                        "b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}\
                        """,
                        4,
                        "has tensor 'b' at data offsets [0, 4] overlapping tensor 'a' at [0, 4]"),
                malformed(
                        "empty tensor inside another",
                        """
                        {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
                        "e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}\
                        """,
                        8,
                        "has tensor 'e' at data offsets [4, 4] overlapping tensor 'a' at [0, 8]"),
                malformed(
                        "gap between tensors",
                        """
                        {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},\
                        "b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}\
                        """,
                        12,
                        "has 4 unused data bytes before tensor 'b', after tensor 'a'"),
                malformed(
                        "first tensor not at 0",
                        """
                        {"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}\
                        """,
                        8,
                        "has 4 unused data bytes before tensor 'a', its first"),
                malformed(
                        "trailing bytes",
                        oneFloat,
                        8,
                        "has 4 bytes after its last tensor 'a' (trailing data)"),
                malformed(
                        "data without tensors",
                        "{}",
                        4,
                        "has 4 bytes after its header but no tensors"),
                malformed(
                        "non-string metadata value",
                        """
                        {"__metadata__":{"format":"pt","step":5},\
                        "a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}\
                        """,
                        4,
                        "has metadata 'step' whose value is not a string: 5"),
                malformed(
                        "metadata that is not an object",
                        """
                        {"__metadata__":["pt"],"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}\
                        """,
                        4,
                        "has __metadata__ that is not a JSON object: [\"pt\"]"),
                malformed(
                        "fractional dimension",
                        """
                        {"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}\
                        """,
                        4,
                        "has a negative or non-integer dimension 1.0 in tensor 'a'"),
                malformed(
                        "string dimension",
                        """
                        {"a":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}\
                        """,
                        4,
                        "has a negative or non-integer dimension \"1\" in tensor 'a'"),
                malformed(
                        "negative dimension",
                        """
                        {"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}\
                        """,
                        4,
                        "has a negative or non-integer dimension -1 in tensor 'a'"),
                malformed(
                        "shape that is not a list",
                        """
                        {"a":{"dtype":"F32","shape":4,"data_offsets":[0,4]}}\
                        """,
                        4,
                        "has tensor 'a' whose shape is not a JSON array: 4"),
                malformed(
                        "dtype that is not a string",
                        """
                        {"a":{"dtype":["F32"],"shape":[1],"data_offsets":[0,4]}}\
                        """,
                        4,
                        "has tensor 'a' whose dtype is not a string: [\"F32\"]"),
                malformed(
                        "unsupported dtype",
                        """
                        {"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}\
                        """,
                        4,
                        "has tensor 'a' of unsupported dtype BF16"),
                malformed(
                        "byte count that does not fit the shape",
                        """
                        {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}\
                        """,
                        4,
                        "has 4 bytes for tensor 'a' of shape (2) and dtype F32"),
                malformed(
                        "2 GiB tensor declared in a tiny file",
                        """
                        {"a":{"dtype":"F32","shape":[536870912],"data_offsets":[0,2147483648]}}\
                        """,
                        4,
                        "has tensor 'a' of 2147483648 bytes; ddpm reads tensors of at most"
                                + " 2147483647 bytes"),
                malformed(
                        "truncated data",
                        """
                        {"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}\
                        """,
                        8,
                        "has data offsets [0, 16] for tensor 'a' outside the 8 data bytes"),
                new Malformed(
                        "header length past the end",
                        oneFloat.getBytes(StandardCharsets.UTF_8),
                        1000,
                        4,
                        "declares a header of 1000 bytes but the file has"),
                new Malformed(
                        "header length near 2^63",
                        oneFloat.getBytes(StandardCharsets.UTF_8),
                        Long.MAX_VALUE - 7,
                        4,
                        "declares a header of 9223372036854775800 bytes"),
                new Malformed(
                        "header that is not UTF-8",
                        notUtf8,
                        notUtf8.length,
                        0,
                        "has a header that is not valid UTF-8"),
                malformed(
                        "text after the JSON object",
                        oneFloat + " x",
                        4,
                        "has a header that is not valid JSON"),
                malformed(
                        "header with leading space",
                        " " + oneFloat,
                        4,
                        "has a header that does not begin with '{'"),
                malformed(
                        "header that is a list",
                        "[1]",
                        0,
                        "has a header that is not a JSON object"),
                malformed(
                        "entry without offsets",
                        """
                        {"a":{"dtype":"F32","shape":[1]}}\
                        """,
                        4,
                        "has a malformed entry for tensor 'a' (it needs dtype, shape and"
                                + " data_offsets)"),
                malformed(
                        "line break and control character in a tensor name",
                        """
                        {"a\\nb\\u001b":{"dtype":"F32"}}\
                        """,
                        0,
                        "malformed entry for tensor 'a\\u000ab\\u001b'"),
                malformed(
                        "huge tensor name",
                        "{\"" + "n".repeat(10_000) + "\":{}}",
                        0,
                        "malformed entry for tensor '" + "n".repeat(80) + "...'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void isRefusedOnOneLineNamingTheFileAndTheProblem(Malformed m) throws Exception {
        Path f = write(m);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            for (Executable read :
                    List.<Executable>of(
                            () -> Safetensors.readHeader(f), () -> Safetensors.read(f, manager))) {
                String message = assertThrows(SafetensorsException.class, read).getMessage();
                assertTrue(message.startsWith(f + " "), "names the file first: " + message);
                assertTrue(
                        message.contains(m.problem()),
                        "expected '" + m.problem() + "' in: " + message);
                assertFalse(
                        message.contains("\n") || message.contains("\r"), "one line: " + message);
                assertTrue(message.length() < 400, "short: " + message);
            }
        }
    }

    @Test
    void tensorsMayBeListedInAnyOrderAndBeEmptyAsLongAsTheyTileTheData() throws Exception {
        ByteBuffer data =
                ByteBuffer.allocate(12)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(7)
                        .putFloat(1.5f)
                        .putFloat(-2f);
        byte[] header =
                """
                {"__metadata__":{"format":"pt"},\
                "b":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]},\
                "empty":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]},\
                "a":{"dtype":"I32","shape":[],"data_offsets":[0,4]},\
                "last":{"dtype":"F64","shape":[0],"data_offsets":[12,12]}}\
                """
                        .getBytes(StandardCharsets.UTF_8);
        Path f = write(header, header.length, data.array());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Safetensors.Contents contents = Safetensors.read(f, manager);
            assertEquals(
                    List.of("b", "empty", "a", "last"), List.copyOf(contents.tensors().keySet()));
            assertEquals(Map.of("format", "pt"), contents.metadata());
            assertArrayEquals(new float[] {1.5f, -2f}, contents.tensors().get("b").toFloatArray());
            assertEquals(new Shape(1, 2), contents.tensors().get("b").getShape());
            assertEquals(new Shape(0, 3), contents.tensors().get("empty").getShape());
            assertArrayEquals(new int[] {7}, contents.tensors().get("a").toIntArray());
            assertEquals(0, contents.tensors().get("last").size());
        }
    }

    private Path write(Malformed m) throws Exception {
        return write(m.header(), m.declaredLength(), new byte[m.dataBytes()]);
    }

    private Path write(byte[] header, long declaredLength, byte[] data) throws Exception {
        ByteBuffer b =
                ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header).put(data);
        Path f = Files.createTempFile(dir, "corpus", ".safetensors");
        Files.write(f, b.array());
        return f;
    }
}
