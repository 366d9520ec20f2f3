package org.transfusion.engine.data;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The DICOM transfer syntaxes {@link DicomFile} decodes: how the data set after the file meta information is
 * encoded (byte order, explicit or implicit value representations, deflate) and how the pixel data is stored
 * (native, or RLE-compressed fragments). Every other syntax is refused by name, since "cannot decode" helps no one
 * who has to re-export a folder of x-rays.
 */
enum DicomSyntax {
    IMPLICIT_LITTLE("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, false),
    EXPLICIT_LITTLE("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, false),
    DEFLATED_EXPLICIT_LITTLE("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true, false),
    EXPLICIT_BIG("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, false),
    RLE("1.2.840.10008.1.2.5", "RLE Lossless", true, false, false, true);

    /** Names of common syntaxes we do not decode, for the refusal (DICOM PS3.6 Annex A). */
    private static final Map<String, String> UNSUPPORTED = Map.ofEntries(
            Map.entry("1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"),
            Map.entry("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 and 4)"),
            Map.entry("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"),
            Map.entry("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction"),
            Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression "
                    + "(Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression"));

    final String uid;
    final String title;
    final boolean explicitVr;
    final boolean bigEndian;
    final boolean deflated;
    final boolean encapsulated;

    DicomSyntax(String uid, String title, boolean explicitVr, boolean bigEndian, boolean deflated,
                boolean encapsulated) {
        this.uid = uid;
        this.title = title;
        this.explicitVr = explicitVr;
        this.bigEndian = bigEndian;
        this.deflated = deflated;
        this.encapsulated = encapsulated;
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

    /** The one-line refusal of a syntax {@link #of} does not know: its name where we know it, and what we read. */
    static String unsupported(String uid) {
        String name = UNSUPPORTED.get(uid);
        if (name == null && uid.startsWith("1.2.840.10008.1.2.4.")) {
            name = "a compressed (JPEG family or video) transfer syntax";
        }
        return (name == null ? "transfer syntax " + uid : name + " (" + uid + ")") + " is not supported; supported: "
                + Arrays.stream(values()).map(s -> s.title + " (" + s.uid + ")").collect(Collectors.joining(", "));
    }
}
