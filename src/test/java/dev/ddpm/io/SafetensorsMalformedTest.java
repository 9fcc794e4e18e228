package dev.ddpm.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed safetensors files are one clear error, without reading past the file or allocating what
 * they claim.
 */
class SafetensorsMalformedTest {

    @TempDir Path dir;

    /** A file with the given declared header length, header JSON and data bytes. */
    private Path file(long declaredHeaderLength, String header, int dataBytes) throws Exception {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b =
                ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(json);
        Path f = Files.createTempFile(dir, "bad", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private Path file(String header, int dataBytes) throws Exception {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private static void assertRejected(Path f, String expected) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            SafetensorsException e =
                    assertThrows(SafetensorsException.class, () -> Safetensors.read(f, m));
            assertTrue(
                    e.getMessage().contains(expected),
                    "expected '" + expected + "' in: " + e.getMessage());
            assertTrue(
                    e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void headerLengthPastTheEndOfTheFile() throws Exception {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertRejected(file(header.length() + 100, header, 4), "declares a header of");
        // a length near 2^63 is refused before anything of that size is allocated
        assertRejected(file(Long.MAX_VALUE - 7, header, 4), "declares a header of");
        assertRejected(file(-8, header, 4), "declares a header of");
    }

    @Test
    void offsetsOutOfRange() throws Exception {
        assertRejected(
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4),
                "outside the 4 data bytes");
        assertRejected(
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 16),
                "data offsets [8, 4]");
        assertRejected(
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 16),
                "data offsets");
    }

    @Test
    void unknownDtype() throws Exception {
        assertRejected(
                file("{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "unsupported dtype Q7");
    }

    @Test
    void truncatedDataAndImpossibleShapes() throws Exception {
        // the header promises 4 float32 values (16 bytes); the file ends after 8
        assertRejected(
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8),
                "outside the 8 data bytes");
        // a shape of 10^12 elements over 4 bytes is refused without allocating it
        assertRejected(
                file(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000],\"data_offsets\":[0,4]}}",
                        4),
                "bytes for tensor 'a'");
        assertRejected(
                file(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}",
                        4),
                "impossibly large shape");
        assertRejected(file(8, "not json", 0), "not valid JSON");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\"}}", 0), "malformed entry");
    }
}
