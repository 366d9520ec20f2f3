package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.data.ImageSplit;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.data.UncertaintyPolicy;
import org.transfusion.engine.run.RunSetup;

/**
 * A study spec's CheXpert uncertainty policy reaches every run: {@code training.uncertainty: u-zeros} in the YAML
 * is in each run's spec (run.json), in the data identity the run recorded, and in the labels it trained on. The
 * CheXpert-layout folder (train.csv, valid.csv, 12x10 grey PNGs) is written here; patient 1's Atelectasis and
 * Pleural Effusion are uncertain (-1.0), so they read 0 under u-zeros and 1 under u-ones.
 */
class CheXpertPolicyTest {
    @TempDir Path dir;

    private static final String FINDINGS = "No Finding,Enlarged Cardiomediastinum,Cardiomegaly,Lung Opacity,"
            + "Lung Lesion,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,Pleural Effusion,Pleural Other,"
            + "Fracture,Support Devices";

    @Test
    void theSpecsUncertaintyPolicyIsWhatEveryRunTrainsWith() throws IOException {
        Path data = chexpert();
        String yaml = """
                name: cx
                data: chexpert:%s
                task: chexpert5
                image_size: 16
                models: [cbr-tiny]
                seeds: [0]
                training: {epochs: 1, batch_size: 4, uncertainty: u-zeros}
                pretrain:
                  data: synthetic:natural
                experiments:
                  performance: {schemes: [random]}
                """.formatted(data);
        StudySpec spec = SpecReader.parse(yaml, "cx.yaml");
        Path out = dir.resolve("study");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Study.run(spec, out, null, new StudyRunner(quiet, 1, null), quiet);

        PlannedRun run = Plan.of(spec, out, null).runs().get(0);
        JsonNode runJson = new ObjectMapper().readTree(run.folder().resolve("run.json").toFile());
        assertThat(runJson.path("spec").path("uncertainty").asText()).isEqualTo("u-zeros");
        assertThat(runJson.path("spec").path("frontal_only").asBoolean()).isTrue();
        assertThat(runJson.path("data").path("identity").path("uncertainty").asText()).isEqualTo("u-zeros");
        assertThat(run.folder().resolve("metrics.json")).exists();

        // The labels the run trained on: patient00001's uncertain findings as negatives (index 0 and 4 of chexpert5:
        // Atelectasis, ..., Pleural Effusion), against u-ones for the same spec otherwise.
        assertThat(patient1(RunSetup.prepare(run.spec()))).containsExactly(0f, 1f, 0f, 0f, 0f);
        assertThat(patient1(RunSetup.prepare(run.spec().toBuilder()
                .uncertainty(UncertaintyPolicy.U_ONES).build())))
                .containsExactly(1f, 1f, 0f, 0f, 1f);
    }

    /** The chexpert5 targets of patient00001's image, in whichever split the seeded patient split put it. */
    private static float[] patient1(RunSetup s) {
        for (Split split : List.of(Split.TRAIN, Split.VAL)) {
            ImageSplit images = s.data().split(split);
            for (int i = 0; i < images.size(); i++) {
                if ("patient00001".equals(images.patientId(i))) {
                    return s.task().target(images.labels(i));
                }
            }
        }
        throw new AssertionError("patient00001 not found");
    }

    private Path chexpert() throws IOException {
        Path root = dir.resolve("CheXpert-v1.0-small");
        List<String> train = new ArrayList<>(List.of("Path,Sex,Age,Frontal/Lateral,AP/PA," + FINDINGS));
        // patient00001: Atelectasis -1.0, Cardiomegaly 1.0, Consolidation blank, Edema 0.0, Pleural Effusion -1.0.
        train.add(row(1, "train", ",,1.0,,,0.0,,,-1.0,,-1.0,,,"));
        for (int p = 2; p <= 12; p++) {
            train.add(row(p, "train", p % 2 == 0 ? ",,1.0,,,,,,,,,,," : ",,,,,1.0,,,1.0,,1.0,,,"));
        }
        List<String> valid = new ArrayList<>(List.of(train.get(0)));
        for (int p = 20; p <= 25; p++) {
            valid.add(row(p, "valid", p % 2 == 0 ? ",,1.0,,,1.0,,,,,1.0,,," : ",,,,,,1.0,,1.0,,,,,"));
        }
        Files.createDirectories(root);
        Files.write(root.resolve("train.csv"), train);
        Files.write(root.resolve("valid.csv"), valid);
        for (List<String> rows : List.of(train, valid)) {
            for (String r : rows.subList(1, rows.size())) {
                Path png = dir.resolve(r.substring(0, r.indexOf(',')));
                Files.createDirectories(png.getParent());
                BufferedImage img = new BufferedImage(12, 10, BufferedImage.TYPE_BYTE_GRAY);
                img.getRaster().setSample(r.length() % 12, 3, 0, 200);
                ImageIO.write(img, "png", png.toFile());
            }
        }
        return root;
    }

    /** One frontal image of a patient; {@code findings} are the 14 finding columns, comma-separated. */
    private static String row(int patient, String split, String findings) {
        String id = String.format("patient%05d", patient);
        return "CheXpert-v1.0-small/" + split + "/" + id + "/study1/view1_frontal.png,Female,50,Frontal,AP,"
                + findings;
    }
}
