package org.transfusion.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A violation of {@code ArchitectureTest}'s record rule, kept in the test sources so that the test can show the rule
 * reports it: it reads a field of a file's JSON with {@code JsonNode.path} instead of through a record.
 */
final class ReadsAJsonField {
    private ReadsAJsonField() {}

    static String seedOf(JsonNode row) {
        return row.path("seed").asText();
    }
}
