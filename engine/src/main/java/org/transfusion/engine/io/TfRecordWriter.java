package org.transfusion.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.transfusion.error.BadInputException;

/**
 * Writes a new TFRecord file (TensorFlow's record framing, which TensorBoard's event files use) one record at a
 * time: the data's length as a little-endian uint64, the masked CRC32C of those eight bytes, the data, and the
 * masked CRC32C of the data. Each record reaches the operating system in one write as soon as it is given, so a
 * process killed at any instant leaves whole records, at worst followed by one torn record that readers recognise by
 * its length and checksums. The file is always created new, never reopened for appending: a later writer starts its
 * own file rather than writing after a torn tail.
 */
public final class TfRecordWriter implements AutoCloseable {
    /** Added to the rotated CRC so that a CRC of data that itself holds CRCs is not trivially predictable. */
    private static final int MASK_DELTA = 0xa282ead8;

    private final Path file;
    private final FileChannel channel;

    private TfRecordWriter(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Creates {@code file} (and its folder); an existing file is refused, never overwritten or appended to. */
    public static TfRecordWriter create(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return new TfRecordWriter(file, FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw failed(file, e);
        }
    }

    /** Appends one record. */
    public void write(byte[] data) {
        ByteBuffer record = ByteBuffer.wrap(frame(data));
        try {
            while (record.hasRemaining()) {
                channel.write(record);
            }
        } catch (IOException e) {
            throw failed(file, e);
        }
    }

    /** Flushes the file to disk and closes it. */
    @Override
    public void close() {
        try (channel) {
            channel.force(true);
        } catch (IOException e) {
            throw failed(file, e);
        }
    }

    /** One record as it lies in the file. */
    static byte[] frame(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(maskedCrc32c(b.array(), 0, 8));
        b.put(data);
        b.putInt(maskedCrc32c(data, 0, data.length));
        return b.array();
    }

    /** CRC32C (Castagnoli) of the bytes, rotated right by 15 bits plus {@link #MASK_DELTA}, as TFRecord stores it. */
    static int maskedCrc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    private static BadInputException failed(Path file, IOException e) {
        return new BadInputException(file + ": cannot write (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                + ")", e);
    }
}
