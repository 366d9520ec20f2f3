package org.transfusion.engine.data;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The DICOM transfer syntaxes {@link DicomFile} decodes: how the data set after the file meta information is
 * encoded (byte order, explicit or implicit value representations, deflate) and how the pixel data is stored
 * ({@link Codec}: native, RLE fragments, or JPEG / JPEG 2000 codestreams decoded by {@link DicomCodecs}). Every
 * other syntax is refused by name and with the reason, since "cannot decode" helps no one who has to re-export a
 * folder of x-rays.
 */
enum DicomSyntax {
    IMPLICIT_LITTLE("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, Codec.NATIVE),
    EXPLICIT_LITTLE("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, Codec.NATIVE),
    DEFLATED_EXPLICIT_LITTLE("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true,
            Codec.NATIVE),
    EXPLICIT_BIG("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, Codec.NATIVE),
    RLE("1.2.840.10008.1.2.5", "RLE Lossless", true, false, false, Codec.RLE),
    JPEG_BASELINE("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true, false, false, Codec.JPEG),
    JPEG_EXTENDED("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 and 4), 8-bit", true, false, false, Codec.JPEG),
    JPEG_LOSSLESS("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", true, false, false,
            Codec.JPEG),
    JPEG_LOSSLESS_SV1("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction", true,
            false, false, Codec.JPEG),
    JPEG2000_LOSSLESS("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", true, false, false,
            Codec.JPEG2000),
    JPEG2000("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", true, false, false, Codec.JPEG2000);

    /** How the pixel data of a syntax is stored. */
    enum Codec {
        /** Uncompressed, one value of defined length. */
        NATIVE,
        /** PS3.5 Annex G, one fragment per frame. */
        RLE,
        /** ISO 10918-1 codestreams (DCT 8-bit, lossless 2-16 bit), through TwelveMonkeys imageio-jpeg. */
        JPEG,
        /** ISO 15444-1 codestreams, through jai-imageio-jpeg2000. */
        JPEG2000;

        boolean encapsulated() {
            return this != NATIVE;
        }
    }

    /** Names of common syntaxes we do not decode, for the refusal (DICOM PS3.6 Annex A). */
    private static final Map<String, String> UNSUPPORTED = Map.ofEntries(
            Map.entry("1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression "
                    + "(Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression"));

    /**
     * Why a family of syntaxes is not decoded (docs/data.md, "DICOM"): no maintained decoder for it is on Maven
     * Central, and a hand-written one would be a codec to maintain rather than a loader.
     */
    private static String why(String uid) {
        if (uid.equals("1.2.840.10008.1.2.4.80") || uid.equals("1.2.840.10008.1.2.4.81")) {
            return " (no maintained Java JPEG-LS decoder is on Maven Central)";
        }
        if (uid.startsWith("1.2.840.10008.1.2.4.20")) {
            return " (no Java decoder of High-Throughput JPEG 2000 is on Maven Central)";
        }
        if (uid.equals("1.2.840.10008.1.2.4.92") || uid.equals("1.2.840.10008.1.2.4.93")) {
            return " (jai-imageio decodes JPEG 2000 part 1 only)";
        }
        return uid.startsWith("1.2.840.10008.1.2.4.1") ? " (MPEG and HEVC video are not still images)" : "";
    }

    final String uid;
    final String title;
    final boolean explicitVr;
    final boolean bigEndian;
    final boolean deflated;
    final boolean encapsulated;
    final Codec codec;

    DicomSyntax(String uid, String title, boolean explicitVr, boolean bigEndian, boolean deflated, Codec codec) {
        this.uid = uid;
        this.title = title;
        this.explicitVr = explicitVr;
        this.bigEndian = bigEndian;
        this.deflated = deflated;
        this.encapsulated = codec.encapsulated();
        this.codec = codec;
    }

    /**
     * The syntax with this UID (trailing NUL and space padding removed), or null when it is not one we decode;
     * {@link #unsupported} then says so.
     */
    static DicomSyntax of(String uid) {
        for (DicomSyntax s : values()) {
            if (s.uid.equals(uid)) {
                return s;
            }
        }
        return null;
    }

    /** The syntax's name for a report: ours, a known unsupported one's, or the UID itself. */
    static String title(String uid) {
        DicomSyntax s = of(uid);
        return s != null ? s.title : UNSUPPORTED.getOrDefault(uid, uid);
    }

    /** The one-line refusal of a syntax {@link #of} does not know: its name where we know it, and what we read. */
    static String unsupported(String uid) {
        String name = UNSUPPORTED.get(uid);
        if (name == null && uid.startsWith("1.2.840.10008.1.2.4.")) {
            name = "a compressed (JPEG family or video) transfer syntax";
        }
        return (name == null ? "transfer syntax " + uid : name + " (" + uid + ")") + " is not supported" + why(uid)
                + "; supported: "
                + Arrays.stream(values()).map(s -> s.title + " (" + s.uid + ")").collect(Collectors.joining(", "));
    }
}
