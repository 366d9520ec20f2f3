package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.model.ModelRegistry;

/** {@code transfusion models}: one row per model card, every column where its header is, the longest name too. */
class ModelsCommandTest {

    @Test
    void everyRowKeepsItsColumnsAndShowsFamilyAndSize() {
        CliRun r = CliRun.of("models");
        assertThat(r.code()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(1 + ModelRegistry.all().size());
        String header = lines.get(0);
        int family = header.indexOf("family");
        int input = header.indexOf(" input") + " input".length();
        int firstConv = header.indexOf("first conv");
        for (String row : lines.subList(1, lines.size())) {
            assertThat(row.charAt(family - 1)).as(row).isEqualTo(' ');
            assertThat(row.substring(family)).as(row)
                    .matches("(cbr|resnet|densenet|inception|mobilenet|efficientnet|vit|convnext) .*");
            // the input size column ends where its header does; the first conv starts where its header does
            assertThat(row.substring(input - 3, input)).as(row).matches("224|299");
            assertThat(row.charAt(firstConv - 1)).as(row).isEqualTo(' ');
            assertThat(row.substring(firstConv)).as(row).doesNotStartWith(" ");
        }
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("mobilenet-v2-0.35-keras +mobilenet +- .*"))
                .anySatisfy(l -> assertThat(l).matches("unet-resnet18 +resnet +- .* encoder\\.conv1\\.weight +decoder\\.head .*"))
                .anySatisfy(l -> assertThat(l).matches("resnet50 +resnet +large .*"))
                .anySatisfy(l -> assertThat(l).matches("cbr-small +cbr +small .*"))
                .anySatisfy(l -> assertThat(l).matches("cbr-small-slim +cbr +- .*"));
    }
}
