package org.transfusion.engine.hub;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.engine.io.Records;

/**
 * The hub cache's sidecar, {@code FILE.json} beside a fetched file: where it came from (URL, repository, revision),
 * its SHA-256 and licence, when it was fetched, and the file's size and modification time when it was last hashed
 * (absent in sidecars written before they were recorded: such a file is hashed again). The provenance keys are
 * always written, a null one as null, as the release before versions wrote them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SidecarRecord(
        @JsonProperty(Records.FORMAT_VERSION) Integer formatVersion,
        @JsonProperty("source") @JsonInclude(JsonInclude.Include.ALWAYS) String source,
        @JsonProperty("repo") @JsonInclude(JsonInclude.Include.ALWAYS) String repo,
        @JsonProperty("revision") @JsonInclude(JsonInclude.Include.ALWAYS) String revision,
        @JsonProperty("sha256") @JsonInclude(JsonInclude.Include.ALWAYS) String sha256,
        @JsonProperty("licence") @JsonInclude(JsonInclude.Include.ALWAYS) String licence,
        @JsonProperty("fetched") @JsonInclude(JsonInclude.Include.ALWAYS) String fetched,
        @JsonProperty("size") Long size,
        @JsonProperty("modified") String modified) {
    /** The version this release writes; 1: written before versions were recorded (the same keys). */
    public static final int FORMAT = 2;

    public static SidecarRecord read(Path file) {
        return Records.read(file, SidecarRecord.class, FORMAT);
    }

    /** Writes this sidecar as the current version. */
    public void write(Path file) {
        Records.write(file, new SidecarRecord(FORMAT, source, repo, revision, sha256, licence, fetched, size,
                modified));
    }

    /** The same sidecar with the file's size and modification time as hashed now. */
    public SidecarRecord hashedAt(long size, String modified) {
        return new SidecarRecord(formatVersion, source, repo, revision, sha256, licence, fetched, size, modified);
    }

    /**
     * Where the weights came from, as run.json's provenance records it: every key of the sidecar but the cache's
     * bookkeeping (its version and the file's modification time).
     */
    public Map<String, Object> provenance() {
        Map<String, Object> m = new LinkedHashMap<>(Records.toMap(this));
        m.remove(Records.FORMAT_VERSION);
        m.remove("modified");
        return m;
    }
}
