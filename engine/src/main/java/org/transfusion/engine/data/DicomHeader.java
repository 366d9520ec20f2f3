package org.transfusion.engine.data;

import java.nio.file.Path;

/**
 * What a header scan ({@link DicomScan}) found in one DICOM file, without decoding its pixels.
 *
 * @param syntaxUid    the Transfer Syntax UID as written (null when the file could not be read that far)
 * @param modality     (0008,0060), or null
 * @param photometric  (0028,0004) as written, or null
 * @param rows         (0028,0010), or -1
 * @param columns      (0028,0011), or -1
 * @param bitsAllocated (0028,0100), or -1
 * @param frames       Number of Frames once read (1 when absent), or 0 when the scan stopped before it
 * @param patientId    (0010,0020), or null
 * @param problem      the one-line reason its pixels cannot be decoded (naming the file), or null
 */
public record DicomHeader(Path file, String syntaxUid, String modality, String photometric, int rows, int columns,
                          int bitsAllocated, long frames, String patientId, String problem) {
    public boolean readable() {
        return problem == null;
    }

    /**
     * What keeps this file's frames together when a split reads every frame: its Patient ID, else the file itself.
     */
    public String group() {
        return patientId != null && !patientId.isEmpty() ? "patient " + patientId : "file " + file;
    }

    /** The transfer syntax's name ("JPEG Baseline (Process 1)"), or its UID when we know no name, or "unknown". */
    public String syntaxTitle() {
        return syntaxUid == null ? "unknown" : DicomSyntax.title(syntaxUid);
    }
}
