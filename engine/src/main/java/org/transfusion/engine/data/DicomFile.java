package org.transfusion.engine.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.transfusion.error.BadInputException;

/**
 * Reads DICOM files (PS3.10): the 128-byte preamble and {@code DICM}, the file meta information (always explicit
 * VR little endian) with the transfer syntax, then the data set as that syntax says ({@link DicomSyntax}). A file
 * without preamble and meta group is read too when it starts with a group 0008 element (old exports); its VR
 * encoding is told by whether a known VR follows the first tag. Only top-level attributes are kept
 * ({@link DicomAttributes#kept}); sequences are skipped, defined or undefined length, nested at most
 * {@value #MAX_DEPTH} deep. Reading stops at the first frame of the pixel data.
 *
 * <p>Written here rather than taken from a library: dcm4che is not on Maven Central, and ImageJ's reader guesses
 * each element's VR from its bytes instead of following the transfer syntax, takes deflated files for plain ones,
 * allocates whatever a length field claims and reports failures through its GUI (docs/data.md, "DICOM").
 */
final class DicomFile {
    static final int MAX_DEPTH = 32;
    private static final int ITEM = 0xFFFEE000;
    private static final int ITEM_END = 0xFFFEE00D;
    private static final int SEQUENCE_END = 0xFFFEE0DD;
    private static final int META_GROUP = 0x0002;
    /** Explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2); the others have 2 bytes. */
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN",
            "UR", "UT", "UV");
    private static final Set<String> SHORT_VRS = Set.of("AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS",
            "LO", "LT", "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US");
    /**
     * The most a deflated data set may inflate to: the largest frame (2^26 pixels x 3 samples x 2 bytes) plus
     * 64 MiB of other attributes. Past it the file is refused rather than inflated on (a deflate bomb).
     */
    static final long INFLATE_BUDGET = ImageFiles.MAX_PIXELS * 6 + (1L << 26);

    /** One element header: its tag, its VR (null when implicit or an item), its length (-1: undefined). */
    private record Header(int tag, String vr, long length) {
        int group() {
            return tag >>> 16;
        }
    }

    private final Path file;
    private final DicomAttributes attributes;
    private DicomInput in;
    private DicomSyntax syntax;

    private DicomFile(Path file) {
        this.file = file;
        this.attributes = new DicomAttributes(message -> new BadInputException(file + ": " + message));
    }

    /** Decodes the first frame; any problem is a one-line {@link BadInputException} naming the file. */
    static DicomImage read(Path file) {
        return new DicomFile(file).parse(DicomAttributes.PIXEL_DATA).image();
    }

    /** The SOP Instance UID (0008,0018), read from the header only; null when the file has none. */
    static String sopInstanceUid(Path file) {
        return new DicomFile(file).parse(DicomAttributes.SOP_INSTANCE_UID).attributes()
                .text(DicomAttributes.SOP_INSTANCE_UID);
    }

    /** What a parse found: the kept attributes, and the image when the parse went as far as the pixel data. */
    private record Parsed(DicomAttributes attributes, DicomImage image) {}

    /** Reads up to the attribute {@code stopAt} (tags ascend, so a larger tag means it is absent). */
    private Parsed parse(int stopAt) {
        Inflater inflater = null;
        try (InputStream raw = Files.newInputStream(file);
             BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16)) {
            in = new DicomInput(file, buffered, 0, Files.size(file), false);
            byte[] head = in.peek(132);
            boolean dicm = head.length == 132 && new String(head, 128, 4, StandardCharsets.US_ASCII).equals("DICM");
            if (dicm) {
                in.skip(132, "the preamble");
            }
            byte[] next = in.peek(2);
            syntax = next.length == 2 && littleU16(next, 0) == META_GROUP ? readMeta() : guessSyntax(dicm);
            if (syntax.deflated) {
                inflater = new Inflater(true); // raw deflate (RFC 1951), no zlib header
                InputStream inflated = new BufferedInputStream(new InflaterInputStream(buffered, inflater, 1 << 16),
                        1 << 16);
                in = new DicomInput(file, inflated, 0, INFLATE_BUDGET, true);
            }
            in.bigEndian = syntax.bigEndian;
            attributes.bigEndian(syntax.bigEndian);
            return walk(stopAt);
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new BadInputException(file + ": cannot read (" + why.replaceAll("\\s+", " ") + ")");
        } finally {
            if (inflater != null) {
                inflater.end();
            }
        }
    }

    /** The file meta information (group 0002, explicit VR little endian): the transfer syntax is all we need. */
    private DicomSyntax readMeta() throws IOException {
        String uid = null;
        while (true) {
            byte[] next = in.peek(2);
            if (next.length < 2 || littleU16(next, 0) != META_GROUP) {
                break;
            }
            Header h = header(true);
            String what = DicomAttributes.describe(h.tag);
            if (h.length < 0) {
                throw in.error(what + " in the file meta information has an undefined length");
            }
            if (h.tag == DicomAttributes.TRANSFER_SYNTAX) {
                if (h.length > DicomAttributes.MAX_VALUE_BYTES) {
                    throw in.error(what + " is " + h.length + " bytes long, expected a UID of at most 64");
                }
                attributes.put(h.tag, in.bytes(h.length, what));
                uid = attributes.text(h.tag);
            } else {
                in.skip(h.length, what);
            }
        }
        if (uid == null) {
            throw in.error("no " + DicomAttributes.describe(DicomAttributes.TRANSFER_SYNTAX)
                    + " in the file meta information (group 0002)");
        }
        DicomSyntax s = DicomSyntax.of(uid);
        if (s == null) {
            throw in.error(DicomSyntax.unsupported(DicomAttributes.printable(uid)));
        }
        return s;
    }

    /** A data set with no meta group: little endian, explicit VR when a known VR follows the first tag. */
    private DicomSyntax guessSyntax(boolean dicm) throws IOException {
        byte[] first = in.peek(6);
        if (first.length < 6 || littleU16(first, 0) != 0x0008) {
            throw in.error(dicm ? "no file meta information (group 0002) after 'DICM'"
                    : "not a DICOM file (no 'DICM' at byte 128, and it does not start with a group 0002 or 0008 "
                    + "element)");
        }
        String vr = new String(first, 4, 2, StandardCharsets.US_ASCII);
        return LONG_VRS.contains(vr) || SHORT_VRS.contains(vr) ? DicomSyntax.EXPLICIT_LITTLE
                : DicomSyntax.IMPLICIT_LITTLE;
    }

    /** The top-level elements up to {@code stopAt}, keeping the attributes decoding needs. */
    private Parsed walk(int stopAt) throws IOException {
        while (!in.atEnd()) {
            long at = in.position();
            Header h = header(syntax.explicitVr);
            if (h.tag == DicomAttributes.PIXEL_DATA && stopAt == DicomAttributes.PIXEL_DATA) {
                return new Parsed(attributes, pixels(h));
            }
            if (Integer.compareUnsigned(h.tag, stopAt) > 0) {
                break; // past where it would be
            }
            String what = DicomAttributes.describe(h.tag);
            if (h.group() == 0xFFFE) {
                throw in.error("item tag " + what + " at byte " + at + " outside any sequence");
            }
            if (h.length < 0) {
                skipUndefined(h, 1, syntax.explicitVr);
            } else if (DicomAttributes.kept(h.tag)) {
                if (h.length > DicomAttributes.MAX_VALUE_BYTES) {
                    throw in.error(what + " is " + h.length + " bytes long, expected at most "
                            + DicomAttributes.MAX_VALUE_BYTES);
                }
                attributes.put(h.tag, in.bytes(h.length, what));
            } else {
                in.skip(h.length, what);
            }
            if (h.tag == stopAt) {
                return new Parsed(attributes, null);
            }
        }
        if (stopAt == DicomAttributes.PIXEL_DATA) {
            throw in.error("no " + DicomAttributes.describe(DicomAttributes.PIXEL_DATA) + " (not an image)");
        }
        return new Parsed(attributes, null);
    }

    /** The first frame of the pixel data, native or RLE. */
    private DicomImage pixels(Header h) throws IOException {
        String what = DicomAttributes.describe(DicomAttributes.PIXEL_DATA);
        DicomImage.Format format = DicomImage.Format.of(attributes);
        long frames = attributes.integer(DicomAttributes.NUMBER_OF_FRAMES, 1);
        if (frames < 1) {
            throw in.error(DicomAttributes.describe(DicomAttributes.NUMBER_OF_FRAMES) + " is " + frames
                    + ", expected at least 1");
        }
        if (!syntax.encapsulated) {
            if (h.length < 0) {
                throw in.error(what + " has an undefined length (compressed fragments), but the transfer syntax is "
                        + syntax.title + ", which stores pixels uncompressed");
            }
            if (h.length < format.frameBytes()) {
                throw in.error(what + " has " + h.length + " bytes, expected at least " + format.frameBytes()
                        + " (Rows x Columns x Samples per Pixel x Bits Allocated / 8)");
            }
            // Every declared frame must be there, though only the first is decoded: a file whose header claims
            // frames its data lacks is damaged (frames <= length here, so the product cannot overflow).
            if (frames > 1 && (frames > h.length || frames * format.frameBytes() > h.length)) {
                throw in.error(what + " has " + h.length + " bytes, expected at least " + frames + " x "
                        + format.frameBytes() + " for the " + frames + " frames of "
                        + DicomAttributes.describe(DicomAttributes.NUMBER_OF_FRAMES));
            }
            in.require(h.length, what);
            return new DicomImage(format, attributes, syntax.bigEndian, in.bytes(format.frameBytes(), what));
        }
        if (h.length >= 0) {
            throw in.error(what + " has a defined length, but " + syntax.title + " stores compressed fragments");
        }
        Header offsets = header(syntax.explicitVr);
        if (offsets.tag != ITEM || offsets.length < 0) {
            throw in.error(what + ": expected the basic offset table item (FFFE,E000) at " + in.where());
        }
        in.skip(offsets.length, "the basic offset table");
        Header fragment = header(syntax.explicitVr);
        if (fragment.tag != ITEM || fragment.length < 0) {
            throw in.error(what + ": expected the first fragment item (FFFE,E000) at " + in.where() + ", found "
                    + DicomAttributes.describe(fragment.tag));
        }
        // PackBits turns 128 bytes into at most 129 (a literal run) and at best into 2 (a repeat run): a fragment
        // outside these bounds is not this frame, and the lower one keeps a tiny file from allocating a big frame.
        long n = format.pixels();
        int segments = format.samples() * format.bytesPerSample();
        long most = 64 + segments * (n + (n + 127) / 128 + 1);
        long least = 64 + segments * 2 * ((n + 127) / 128);
        if (fragment.length > most || fragment.length < least) {
            throw in.error("the first RLE fragment has " + fragment.length + " bytes, expected " + least + " to "
                    + most + " for " + segments + " segments of " + n + " bytes (Rows x Columns)");
        }
        byte[] data = DicomRle.decode(in.bytes(fragment.length, "the first RLE fragment"), format, in);
        if (frames > 1) {
            requireFragments(frames, what);
        }
        return new DicomImage(format.inPlanes(), attributes, true, data);
    }

    /** The fragments after the first, up to the sequence delimiter: one per frame (RLE stores a frame per item). */
    private void requireFragments(long frames, String what) throws IOException {
        long found = 1;
        while (!in.atEnd()) {
            Header h = header(syntax.explicitVr);
            if (h.tag == SEQUENCE_END) {
                break;
            }
            if (h.tag != ITEM || h.length < 0) {
                throw in.error(what + ": expected a fragment item (FFFE,E000) at " + in.where() + ", found "
                        + DicomAttributes.describe(h.tag));
            }
            in.skip(h.length, "an RLE fragment");
            found++;
        }
        if (found < frames) {
            throw in.error(what + " has " + found + " fragment" + (found == 1 ? "" : "s") + ", expected one per frame: "
                    + frames + " (" + DicomAttributes.describe(DicomAttributes.NUMBER_OF_FRAMES) + ")");
        }
    }

    /** Skips the value of an undefined-length element: a sequence, or a UN holding one in implicit VR LE. */
    private void skipUndefined(Header h, int depth, boolean explicit) throws IOException {
        if (!"UN".equals(h.vr)) {
            skipSequence(depth, explicit);
            return;
        }
        boolean big = in.bigEndian;
        in.bigEndian = false; // PS3.5 6.2.2: such a UN value is encoded in Implicit VR Little Endian
        try {
            skipSequence(depth, false);
        } finally {
            in.bigEndian = big;
        }
    }

    /** Skips the items of an undefined-length sequence, up to and including its delimiter. */
    private void skipSequence(int depth, boolean explicit) throws IOException {
        if (depth > MAX_DEPTH) {
            throw in.error("sequences nested more than " + MAX_DEPTH + " deep at " + in.where());
        }
        while (true) {
            Header h = header(explicit);
            if (h.tag == SEQUENCE_END) {
                return;
            }
            if (h.tag != ITEM) {
                throw in.error("expected a sequence item (FFFE,E000) or its end (FFFE,E0DD) at " + in.where()
                        + ", found " + DicomAttributes.describe(h.tag));
            }
            if (h.length < 0) {
                skipItem(depth, explicit);
            } else {
                in.skip(h.length, "a sequence item");
            }
        }
    }

    /** Skips the elements of an undefined-length item, up to and including its delimiter. */
    private void skipItem(int depth, boolean explicit) throws IOException {
        while (true) {
            Header h = header(explicit);
            if (h.tag == ITEM_END) {
                return;
            }
            if (h.group() == 0xFFFE) {
                throw in.error("unexpected " + DicomAttributes.describe(h.tag) + " inside a sequence item at "
                        + in.where());
            }
            if (h.length < 0) {
                skipUndefined(h, depth + 1, explicit);
            } else {
                in.skip(h.length, DicomAttributes.describe(h.tag));
            }
        }
    }

    /** Reads a tag, its VR when explicit (items and delimiters never have one) and its length. */
    private Header header(boolean explicit) throws IOException {
        int group = in.u16("an element tag");
        int element = in.u16("an element tag");
        int tag = group << 16 | element;
        String what = "the header of " + DicomAttributes.describe(tag);
        if (group == 0xFFFE || !explicit) {
            return new Header(tag, null, length(in.u32(what)));
        }
        long at = in.position();
        char c0 = (char) in.u8(what);
        char c1 = (char) in.u8(what);
        String vr = "" + c0 + c1;
        if (LONG_VRS.contains(vr)) {
            in.u16(what); // reserved
            return new Header(tag, vr, length(in.u32(what)));
        }
        if (SHORT_VRS.contains(vr)) {
            return new Header(tag, vr, in.u16(what));
        }
        throw in.error(DicomAttributes.describe(tag) + " has value representation '" + DicomAttributes.printable(vr)
                + "' at byte " + at + ", which is not a DICOM VR");
    }

    private static long length(long u32) {
        return u32 == 0xFFFFFFFFL ? -1 : u32;
    }

    private static int littleU16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }
}
