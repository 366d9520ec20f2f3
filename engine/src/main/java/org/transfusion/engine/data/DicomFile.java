package org.transfusion.engine.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
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
    /** The frame {@link #read} decodes. */
    private int frame;
    /** Whether this is a {@link #scan}: stop at the pixel data's header, check it, decode nothing. */
    private boolean scanning;
    /** What a scan found: the syntax UID as written, the format and frame count once read (else null and 0). */
    private String syntaxUid;
    private DicomImage.Format format;
    private long frames;
    /** A scan's refusal of the transfer syntax, kept while the rest of the header is read. */
    private String unsupported;

    private DicomFile(Path file) {
        this.file = file;
        this.attributes = new DicomAttributes(message -> new BadInputException(file + ": " + message));
    }

    /** Decodes the first frame; any problem is a one-line {@link BadInputException} naming the file. */
    static DicomImage read(Path file) {
        return read(file, 0);
    }

    /** Decodes frame {@code frame} (from 0); any problem is a one-line {@link BadInputException} naming the file. */
    static DicomImage read(Path file, int frame) {
        DicomFile f = new DicomFile(file);
        f.frame = frame;
        return f.parse(DicomAttributes.PIXEL_DATA).image();
    }

    /**
     * What a file's header says and whether its pixels can be decoded, found without decoding them: the data set up
     * to Pixel Data, the format attributes checked, and for compressed syntaxes the first fragment's codestream
     * header checked against them ({@link DicomCodecs#problem}). Never throws for a bad file: the problem is in
     * the result. A file of a syntax we do not decode is still read far enough to report its modality and format
     * when the syntax is one of the explicit VR little endian compressed ones.
     */
    static DicomHeader scan(Path file) {
        DicomFile f = new DicomFile(file);
        f.scanning = true;
        String problem = null;
        try {
            f.parse(DicomAttributes.PIXEL_DATA);
        } catch (BadInputException e) {
            problem = e.getMessage();
        }
        if (problem == null && f.unsupported != null) {
            problem = file + ": " + f.unsupported;
        }
        DicomAttributes a = f.attributes;
        return new DicomHeader(file, f.syntaxUid, lenientText(a, DicomAttributes.MODALITY),
                lenientText(a, DicomAttributes.PHOTOMETRIC), lenientShort(a, DicomAttributes.ROWS),
                lenientShort(a, DicomAttributes.COLUMNS), lenientShort(a, DicomAttributes.BITS_ALLOCATED),
                f.frames, lenientText(a, DicomAttributes.PATIENT_ID), problem);
    }

    private static String lenientText(DicomAttributes a, int tag) {
        String t = a.text(tag);
        return t == null ? null : DicomAttributes.printable(t);
    }

    /** The value for a report, or -1 when absent or malformed (the problem, if it matters, is reported apart). */
    private static int lenientShort(DicomAttributes a, int tag) {
        try {
            return a.unsignedShort(tag, -1);
        } catch (BadInputException e) {
            return -1;
        }
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
        syntaxUid = uid;
        DicomSyntax s = DicomSyntax.of(uid);
        if (s == null) {
            String why = DicomSyntax.unsupported(DicomAttributes.printable(uid));
            // Every compressed syntax encodes its data set as explicit VR little endian (PS3.5 A.4): a scan reads
            // on for the modality and format to report, without looking at the pixels.
            if (scanning && (uid.startsWith("1.2.840.10008.1.2.4.") || uid.equals("1.2.840.10008.1.2.1.98"))) {
                unsupported = why;
                return DicomSyntax.EXPLICIT_LITTLE;
            }
            throw in.error(why);
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
        DicomSyntax s = LONG_VRS.contains(vr) || SHORT_VRS.contains(vr) ? DicomSyntax.EXPLICIT_LITTLE
                : DicomSyntax.IMPLICIT_LITTLE;
        syntaxUid = s.uid;
        return s;
    }

    /** The top-level elements up to {@code stopAt}, keeping the attributes decoding needs. */
    private Parsed walk(int stopAt) throws IOException {
        while (!in.atEnd()) {
            long at = in.position();
            Header h = header(syntax.explicitVr);
            if (h.tag == DicomAttributes.PIXEL_DATA && stopAt == DicomAttributes.PIXEL_DATA) {
                if (scanning) {
                    if (unsupported == null) {
                        check(h);
                    }
                    return new Parsed(attributes, null);
                }
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

    /** Reads and checks the format and the frame count (at least 1); a scan keeps them. */
    private DicomImage.Format format() {
        format = DicomImage.Format.of(attributes, syntax.codec);
        long n = attributes.integer(DicomAttributes.NUMBER_OF_FRAMES, 1);
        if (n < 1) {
            throw in.error(DicomAttributes.describe(DicomAttributes.NUMBER_OF_FRAMES) + " is " + n
                    + ", expected at least 1");
        }
        frames = n;
        return format;
    }

    /** Native pixel data: its length must hold every declared frame, though only one is decoded. */
    private void requireNative(Header h, DicomImage.Format format) {
        String what = DicomAttributes.describe(DicomAttributes.PIXEL_DATA);
        if (h.length < 0) {
            throw in.error(what + " has an undefined length (compressed fragments), but the transfer syntax is "
                    + syntax.title + ", which stores pixels uncompressed");
        }
        if (h.length < format.frameBytes()) {
            throw in.error(what + " has " + h.length + " bytes, expected at least " + format.frameBytes()
                    + " (Rows x Columns x Samples per Pixel x Bits Allocated / 8)");
        }
        // A file whose header claims frames its data lacks is damaged (frames <= length here, so the product
        // cannot overflow).
        if (frames > 1 && (frames > h.length || frames * format.frameBytes() > h.length)) {
            throw in.error(what + " has " + h.length + " bytes, expected at least " + frames + " x "
                    + format.frameBytes() + " for the " + frames + " frames of "
                    + DicomAttributes.describe(DicomAttributes.NUMBER_OF_FRAMES));
        }
        in.require(h.length, what);
    }

    /** What a scan checks at the pixel data: all of {@link #pixels} that can be known without decoding. */
    private void check(Header h) throws IOException {
        DicomImage.Format f = format();
        String what = DicomAttributes.describe(DicomAttributes.PIXEL_DATA);
        if (!syntax.encapsulated) {
            requireNative(h, f);
            return;
        }
        if (h.length >= 0) {
            throw in.error(what + " has a defined length, but " + syntax.title + " stores compressed fragments");
        }
        offsetTable(what);
        Header fragment = header(syntax.explicitVr);
        if (fragment.tag != ITEM || fragment.length < 0) {
            throw in.error(what + ": expected the first fragment item (FFFE,E000) at " + in.where() + ", found "
                    + DicomAttributes.describe(fragment.tag));
        }
        in.require(fragment.length, "the first fragment");
        byte[] head = firstBytes(fragment.length, 1 << 16);
        if (syntax.codec == DicomSyntax.Codec.RLE) {
            DicomRle.checkHeader(head, f, in);
            return;
        }
        String problem = DicomCodecs.problem(syntax.codec, head, f.decoded());
        if (problem != null) {
            throw in.error(problem);
        }
    }

    /**
     * The first {@code most} bytes of the first frame, from the first fragment (of {@code length} bytes, whose
     * header was just read) and, when it is shorter, the fragments after it that do not start another frame: a
     * codestream header may straddle fragments. Reads on from the fragment; a scan stops after this.
     */
    private byte[] firstBytes(long length, int most) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(in.bytes(Math.min(length, most), "the first fragment"));
        boolean whole = length <= most;
        while (whole && out.size() < most && syntax.codec != DicomSyntax.Codec.RLE) {
            byte[] next = in.peek(8);
            if (next.length < 8 || (littleU16(next, 0) << 16 | littleU16(next, 2)) != ITEM) {
                break;
            }
            Header f = header(syntax.explicitVr);
            if (f.length < 0 || (frames > 1 && startsCodestream(in.peek((int) Math.min(f.length, 12))))) {
                break;
            }
            in.require(f.length, "a fragment of frame 1");
            out.write(in.bytes(Math.min(f.length, most - out.size()), "a fragment of frame 1"));
            whole = f.length <= most;
        }
        return out.toByteArray();
    }

    /** Frame {@link #frame} of the pixel data: native, RLE, JPEG or JPEG 2000. */
    private DicomImage pixels(Header h) throws IOException {
        String what = DicomAttributes.describe(DicomAttributes.PIXEL_DATA);
        DicomImage.Format format = format();
        if (frame >= frames) {
            throw in.error("frame " + (frame + 1) + " asked for, but the file has " + frames + " ("
                    + DicomAttributes.describe(DicomAttributes.NUMBER_OF_FRAMES) + ")");
        }
        if (!syntax.encapsulated) {
            requireNative(h, format);
            in.skip((long) frame * format.frameBytes(), "the frames before frame " + (frame + 1));
            return new DicomImage(format, attributes, syntax.bigEndian, in.bytes(format.frameBytes(), what));
        }
        if (h.length >= 0) {
            throw in.error(what + " has a defined length, but " + syntax.title + " stores compressed fragments");
        }
        byte[] data = encapsulatedFrame(format, what);
        if (syntax.codec == DicomSyntax.Codec.RLE) {
            DicomRle.checkLength(data.length, format, in);
            return new DicomImage(format.inPlanes(), attributes, true, DicomRle.decode(data, format, in));
        }
        DicomImage.Format decoded = format.decoded();
        return new DicomImage(decoded, attributes, false, DicomCodecs.decode(syntax.codec, data, decoded, in, frame));
    }

    /**
     * The basic offset table (PS3.5 A.4): empty, or one offset per frame (from the first fragment item's tag to
     * that frame's first fragment), starting at 0 and ascending. Returns the offsets, or null when it is empty.
     */
    private long[] offsetTable(String what) throws IOException {
        Header table = header(syntax.explicitVr);
        if (table.tag != ITEM || table.length < 0) {
            throw in.error(what + ": expected the basic offset table item (FFFE,E000) at " + in.where());
        }
        if (table.length == 0) {
            return null;
        }
        if (table.length % 4 != 0 || table.length / 4 != frames) {
            throw in.error("the basic offset table has " + table.length + " bytes, expected 0 or 4 per frame ("
                    + frames + " frames: " + 4 * frames + ")");
        }
        in.require(table.length, "the basic offset table");
        long[] offsets = new long[(int) frames];
        for (int k = 0; k < offsets.length; k++) {
            offsets[k] = in.u32("the basic offset table");
            if (k == 0 ? offsets[0] != 0 : offsets[k] <= offsets[k - 1]) {
                throw in.error("the basic offset table's offset " + (k + 1) + " is " + offsets[k] + ", expected "
                        + (k == 0 ? "0" : "more than the one before (" + offsets[k - 1] + ")"));
            }
        }
        return offsets;
    }

    /**
     * The bytes of frame {@link #frame}: its fragments, joined. Which fragments make a frame: all of them when
     * there is one frame; else the basic offset table when it has entries; else, for RLE, one fragment per frame
     * (PS3.5 G.2); else a fragment that starts a codestream (JPEG SOI, JPEG 2000 SOC or a JP2 signature) starts a
     * frame. Every fragment is walked (those of other frames skipped), and the frames found must be the ones
     * declared. A frame may take at most twice its decoded size plus 64 KiB, or it is refused unread.
     */
    private byte[] encapsulatedFrame(DicomImage.Format format, String what) throws IOException {
        long[] offsets = offsetTable(what);
        long budget = 2L * format.frameBytes() + (1 << 16);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long at = 0; // the current fragment item's offset from the first fragment item
        long current = -1; // the frame the current fragment belongs to
        long fragments = 0;
        while (true) {
            if (in.atEnd()) {
                throw in.error(what + " ends without its sequence delimiter (FFFE,E0DD) after " + fragments
                        + " fragment(s)");
            }
            Header f = header(syntax.explicitVr);
            if (f.tag == SEQUENCE_END) {
                break;
            }
            if (f.tag != ITEM || f.length < 0) {
                throw in.error(what + ": expected a fragment item (FFFE,E000) at " + in.where() + ", found "
                        + DicomAttributes.describe(f.tag));
            }
            if (frames == 1) {
                current = 0;
            } else if (offsets != null) {
                while (current + 1 < frames && offsets[(int) (current + 1)] <= at) {
                    current++;
                }
            } else if (syntax.codec == DicomSyntax.Codec.RLE) {
                current = fragments;
            } else if (current < 0 || startsCodestream(in.peek((int) Math.min(f.length, 12)))) {
                current++;
            }
            if (current == frame) {
                if (out.size() + f.length > budget) {
                    throw in.error("frame " + (frame + 1) + "'s fragments pass " + budget + " bytes, more than a "
                            + "compressed " + format.rows() + " x " + format.columns() + " frame can take");
                }
                out.write(in.bytes(f.length, "a fragment of frame " + (frame + 1)));
            } else {
                in.skip(f.length, "a fragment of frame " + (current + 1));
            }
            at += 8 + f.length;
            fragments++;
        }
        if (current + 1 != frames) {
            throw in.error(what + " holds " + (current + 1) + " frame(s) in " + fragments + " fragment(s), expected "
                    + frames + " (" + DicomAttributes.describe(DicomAttributes.NUMBER_OF_FRAMES) + ")");
        }
        return out.toByteArray();
    }

    /** Whether a fragment's first bytes start a codestream: JPEG SOI, JPEG 2000 SOC, or a JP2 signature box. */
    private static boolean startsCodestream(byte[] b) {
        if (b.length >= 2 && (b[0] & 0xff) == 0xFF && ((b[1] & 0xff) == 0xD8 || (b[1] & 0xff) == 0x4F)) {
            return true;
        }
        return b.length >= 8 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 12 && b[4] == 'j' && b[5] == 'P';
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
