package org.transfusion.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

class TfRecordWriterTest {
    @TempDir Path dir;

    /**
     * The masked CRC of "123456789": CRC-32C is 0xE3069283 (RFC 3720 B.4's check value); rotated right by 15 bits
     * that is 0x2507C60D, plus 0xA282EAD8 mod 2^32 0xC78AB0E5 (python3 -c "c=0xE3069283;
     * print(hex((((c>>15)|(c<<17))+0xa282ead8)&0xffffffff))").
     */
    @Test
    void theMaskIsTensorFlowsOnTheKnownVector() {
        byte[] v = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(TfRecordWriter.maskedCrc32c(v, 0, v.length)).isEqualTo(0xC78AB0E5);
    }

    @Test
    void aRecordIsLengthChecksumDataChecksum() throws Exception {
        Path file = dir.resolve("sub/records");
        try (TfRecordWriter w = TfRecordWriter.create(file)) {
            w.write("123456789".getBytes(StandardCharsets.US_ASCII));
        }
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).hasSize(8 + 4 + 9 + 4);
        assertThat(HexFormat.of().formatHex(bytes, 0, 8)).isEqualTo("0900000000000000");
        byte[] length = java.util.Arrays.copyOf(bytes, 8);
        assertThat(HexFormat.of().formatHex(bytes, 8, 12))
                .isEqualTo(HexFormat.of().formatHex(littleEndian(TfRecordWriter.maskedCrc32c(length, 0, 8))));
        assertThat(new String(bytes, 12, 9, StandardCharsets.US_ASCII)).isEqualTo("123456789");
        assertThat(HexFormat.of().formatHex(bytes, 21, 25)).isEqualTo("e5b08ac7"); // 0xC78AB0E5, little-endian
    }

    @Test
    void anExistingFileIsNeverWrittenOver() throws Exception {
        Path file = Files.writeString(dir.resolve("events"), "earlier session");
        assertThatThrownBy(() -> TfRecordWriter.create(file)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(file + ": cannot write (FileAlreadyExistsException");
        assertThat(Files.readString(file)).isEqualTo("earlier session");
    }

    private static byte[] littleEndian(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
