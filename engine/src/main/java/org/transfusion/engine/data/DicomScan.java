package org.transfusion.engine.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.transfusion.error.BadInputException;

/**
 * The header scan of a DICOM dataset, before anything trains on it: every file opened far enough to know that its
 * pixels can be decoded ({@link DicomFile#scan}: syntax, format, frame count, the first codestream's header), so a
 * folder of 10,000 studies with one JPEG-LS file is refused at the start, listing the files, rather than at the
 * batch that reaches it. The files are scanned in parallel; nothing is decoded.
 */
public final class DicomScan {
    /** How many unreadable files a refusal lists before it counts the rest. */
    static final int LISTED = 10;

    private DicomScan() {}

    /** From how many files a scan says on stderr what it is doing and how long it took. */
    static final int TALKATIVE = 5000;

    /** Scans {@code files} (in parallel), keeping their order. */
    public static List<DicomHeader> scan(List<Path> files) {
        long start = System.nanoTime();
        if (files.size() >= TALKATIVE) {
            System.err.printf(java.util.Locale.ROOT, "scanning the headers of %,d DICOM files%n", files.size());
        }
        List<DicomHeader> out = files.parallelStream().map(DicomFile::scan).toList();
        if (files.size() >= TALKATIVE) {
            System.err.printf(java.util.Locale.ROOT, "scanned %,d DICOM headers in %.1f s (%,d cannot be decoded)%n",
                    files.size(), (System.nanoTime() - start) / 1e9, unreadable(out).size());
        }
        return out;
    }

    /** The unreadable files' headers. */
    public static List<DicomHeader> unreadable(List<DicomHeader> headers) {
        return headers.stream().filter(h -> !h.readable()).toList();
    }

    /**
     * Refuses the dataset at {@code where} when any file is unreadable: the first {@value #LISTED} problems, one
     * per line, then a count of the rest, and what to do.
     */
    static void refuseUnreadable(Path where, List<DicomHeader> headers) {
        List<DicomHeader> bad = unreadable(headers);
        if (bad.isEmpty()) {
            return;
        }
        StringBuilder m = new StringBuilder(where + ": " + bad.size() + " of " + headers.size()
                + " DICOM files cannot be decoded (found by the header scan, before training):");
        for (DicomHeader h : bad.subList(0, Math.min(LISTED, bad.size()))) {
            m.append("\n  ").append(h.problem());
        }
        if (bad.size() > LISTED) {
            m.append("\n  ... and ").append(bad.size() - LISTED).append(" more");
        }
        m.append("\nre-export them uncompressed or in a supported syntax, or leave them out with ")
                .append("--skip-unreadable (the data spec option unreadable=skip), which counts them in run.json");
        throw new BadInputException(m.toString());
    }

    /** How many files have each value of {@code key} (null shown as "(none)"), most frequent first. */
    public static Map<String, Long> count(List<DicomHeader> headers, Function<DicomHeader, String> key) {
        Map<String, Long> counts = headers.stream().map(key).collect(Collectors.groupingBy(
                k -> k == null || k.isEmpty() ? "(none)" : k, TreeMap::new, Collectors.counting()));
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        Map<String, Long> out = new LinkedHashMap<>();
        entries.forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
