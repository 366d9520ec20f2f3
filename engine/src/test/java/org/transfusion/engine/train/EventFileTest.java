package org.transfusion.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.tensorboard.DataType;
import org.transfusion.engine.tensorboard.Event;
import org.transfusion.engine.tensorboard.SessionLog;
import org.transfusion.engine.tensorboard.Summary;
import org.transfusion.engine.tensorboard.hparams.HParamsPluginData;
import org.transfusion.engine.tensorboard.hparams.Status;
import org.transfusion.engine.testing.TestNpz;

/**
 * A run's TensorBoard event files read back by a reader this project did not write: the records' framing and
 * checksums by an independent bitwise CRC32C (checked on the standard test vector), and each record's bytes by
 * protobuf-java's parser for TensorBoard's messages (src/test/proto, copied from TensorFlow's and TensorBoard's
 * .proto files). What they hold is compared with curve.csv and run.json, read as text.
 */
class EventFileTest {
    @TempDir static Path dir;
    static String spec;

    /** curve.csv's columns and the tag TensorBoard shows each under (the names the README documents). */
    private static final Map<String, String> TAGS = Map.of("train_loss", "train/loss", "val_auc", "val/auc",
            "val_loss", "val/loss", "lr", "train/lr", "train_seconds", "train/seconds");

    @BeforeAll
    static void data() throws IOException {
        spec = "npz:" + TestNpz.brightSquares(dir, 96, 32, 16, 3);
    }

    private static RunSpec options(long steps) {
        return RunSpec.builder(spec, "cbr-small").length(steps, null).evalEvery(10).seed(11).batchSize(16)
                .threads(1).build();
    }

    @Test
    void theIndependentCrcIsCrc32c() {
        byte[] vector = "123456789".getBytes(StandardCharsets.US_ASCII);
        // CRC-32C's check value (RFC 3720, appendix B.4; the Castagnoli catalogue's "check" for "123456789").
        assertThat(crc32c(vector)).isEqualTo(0xE3069283);
        CRC32C jdk = new CRC32C();
        jdk.update(vector);
        assertThat((int) jdk.getValue()).isEqualTo(0xE3069283);
    }

    @Test
    void aRunsEventFileHoldsItsCurveAndSpecAsTensorBoardReadsThem() throws IOException {
        RunFolder run = new RunFolder(dir.resolve("whole"));
        Trainer.run(options(30), run, false, Progress.SILENT);
        JsonNode runJson = Json.read(run.runJson());
        assertThat(runJson.path("tensorboard").asText()).isEqualTo("tb");
        assertThat(run.eventFiles()).singleElement().satisfies(f -> {
            assertThat(f.getParent()).isEqualTo(run.dir().resolve("tb"));
            assertThat(f.getFileName().toString()).matches("events\\.out\\.tfevents\\.[0-9]{10}\\..+");
        });
        List<Event> events = read(run.eventFiles().get(0));

        assertThat(events.get(0).getFileVersion()).isEqualTo("brain.Event:2");
        assertThat(events.get(1).getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
        assertThat(events.get(1).getStep()).isZero();
        assertThat(events).allSatisfy(e -> assertThat(e.getWallTime())
                .isBetween(runStarted(runJson) - 5, System.currentTimeMillis() / 1000.0 + 5));

        Summary.Value start = events.get(2).getSummary().getValue(0);
        assertThat(start.getTag()).isEqualTo("_hparams_/session_start_info");
        assertThat(start.getMetadata().getPluginData().getPluginName()).isEqualTo("hparams");
        // TensorBoard's own hparams summaries carry an empty float vector as their value.
        assertThat(start.getTensor().getDtype()).isEqualTo(DataType.DT_FLOAT);
        assertThat(start.getTensor().getTensorShape().getDimList()).singleElement()
                .satisfies(d -> assertThat(d.getSize()).isZero());
        HParamsPluginData startData = HParamsPluginData.parseFrom(start.getMetadata().getPluginData().getContent());
        assertThat(startData.getVersion()).isZero();
        var hparams = startData.getSessionStartInfo().getHparamsMap();
        JsonNode recorded = runJson.path("spec");
        recorded.fields().forEachRemaining(f -> {
            JsonNode v = f.getValue();
            if (v.isNull()) {
                assertThat(hparams).as(f.getKey()).doesNotContainKey(f.getKey());
            } else if (v.isNumber()) {
                assertThat(hparams.get(f.getKey()).getNumberValue()).as(f.getKey()).isEqualTo(v.asDouble());
            } else if (v.isBoolean()) {
                assertThat(hparams.get(f.getKey()).getBoolValue()).as(f.getKey()).isEqualTo(v.asBoolean());
            } else if (v.isTextual()) {
                assertThat(hparams.get(f.getKey()).getStringValue()).as(f.getKey()).isEqualTo(v.asText());
            } else {
                assertThat(Json.parse(hparams.get(f.getKey()).getStringValue())).as(f.getKey()).isEqualTo(v);
            }
        });
        assertThat(hparams.get("model").getStringValue()).isEqualTo("cbr-small");
        assertThat(hparams.get("seed").getNumberValue()).isEqualTo(11.0);
        assertThat(startData.getSessionStartInfo().getModelUri()).isEqualTo(run.dir().toAbsolutePath().toString());

        Event last = events.get(events.size() - 1);
        HParamsPluginData end = HParamsPluginData.parseFrom(last.getSummary().getValue(0).getMetadata().getPluginData()
                .getContent());
        assertThat(last.getSummary().getValue(0).getTag()).isEqualTo("_hparams_/session_end_info");
        assertThat(end.getSessionEndInfo().getStatus()).isEqualTo(Status.STATUS_SUCCESS);

        assertThat(scalars(events)).isEqualTo(curveCsv(run)).isNotEmpty();
        assertThat(scalars(events).get("val/auc")).containsOnlyKeys(10L, 20L, 30L);
    }

    /**
     * A run killed after its checkpoint at step 20 and resumed leaves two event files, the second named to sort after
     * the first though both sessions began within a second or so. Taking the files in name order and the last value
     * per step, as TensorBoard does, gives curve.csv; so does the second file alone (it repeats the checkpoint's rows).
     * A torn record at the end of the killed session's file (as a kill in mid-write leaves) is never written after.
     */
    @Test
    void aResumedRunsEventFilesTogetherHoldItsCurve() throws IOException {
        RunFolder run = new RunFolder(dir.resolve("resumed"));
        assertThatThrownBy(() -> Trainer.run(options(40), run, false, TrainerTest.killAt(25)))
                .hasMessage("simulated kill");
        assertThat(run.eventFiles()).hasSize(1);
        Path killed = run.eventFiles().get(0);
        List<Event> killedEvents = read(killed);
        assertThat(scalars(killedEvents).get("val/auc")).containsOnlyKeys(10L, 20L);
        byte[] torn = Arrays.copyOf(frame(killedEvents.get(3).toByteArray()), 20); // header and 8 bytes of data
        Files.write(killed, torn, StandardOpenOption.APPEND);
        byte[] killedBytes = Files.readAllBytes(killed);

        Trainer.run(options(40), run, true, Progress.SILENT);
        List<Path> files = run.eventFiles();
        assertThat(files).hasSize(2);
        assertThat(files.get(0)).isEqualTo(killed);
        assertThat(Files.readAllBytes(killed)).as("the killed session's file is left as it was").isEqualTo(killedBytes);
        assertThatThrownBy(() -> read(killed)).hasMessageContaining("torn record");
        assertThat(readUpToTornTail(killed)).isEqualTo(killedEvents);

        List<Event> union = new ArrayList<>(readUpToTornTail(files.get(0)));
        List<Event> resumed = read(files.get(1));
        union.addAll(resumed);
        assertThat(resumed.get(0).getFileVersion()).isEqualTo("brain.Event:2");
        assertThat(resumed.get(1).getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
        Map<String, TreeMap<Long, Float>> curve = curveCsv(run);
        assertThat(curve.get("val/auc")).containsOnlyKeys(10L, 20L, 30L, 40L);
        assertThat(scalars(union)).isEqualTo(curve);
        assertThat(scalars(resumed)).isEqualTo(curve);
        assertThat(steps(resumed)).as("the resumed file's steps never go back after its start").isSorted();
    }

    /** A run that diverges (SGD at lr 10, the highest --lr accepts) ends its session as a failure, at the step it stopped. */
    @Test
    void aDivergedRunEndsItsSessionAsAFailure() throws IOException {
        RunFolder run = new RunFolder(dir.resolve("diverged"));
        RunSpec wild = options(30).toBuilder().optimizer(OptimizerKind.SGD).lr(10).build();
        assertThatThrownBy(() -> Trainer.run(wild, run, false, Progress.SILENT)).isInstanceOf(DivergedException.class)
                .hasMessageContaining("training diverged at step ");
        List<Event> events = read(run.eventFiles().get(0));
        Event last = events.get(events.size() - 1);
        assertThat(last.getSummary().getValue(0).getTag()).isEqualTo("_hparams_/session_end_info");
        assertThat(HParamsPluginData.parseFrom(last.getSummary().getValue(0).getMetadata().getPluginData().getContent())
                .getSessionEndInfo().getStatus()).isEqualTo(Status.STATUS_FAILURE);
        assertThat(scalars(events)).isEqualTo(curveCsv(run));
    }

    /** Each tag's value per step, the last one read winning (as TensorBoard keeps the newest point of a step). */
    private static Map<String, TreeMap<Long, Float>> scalars(List<Event> events) {
        Map<String, TreeMap<Long, Float>> out = new TreeMap<>();
        for (Event e : events) {
            for (Summary.Value v : e.getSummary().getValueList()) {
                if (v.getValueCase() == Summary.Value.ValueCase.SIMPLE_VALUE) {
                    out.computeIfAbsent(v.getTag(), t -> new TreeMap<>()).put(e.getStep(), v.getSimpleValue());
                }
            }
        }
        return out;
    }

    private static List<Long> steps(List<Event> events) {
        return events.stream().map(Event::getStep).toList();
    }

    /** curve.csv as text: each column's tag, and its cells by step as the float a scalar holds; empty cells absent. */
    private static Map<String, TreeMap<Long, Float>> curveCsv(RunFolder run) throws IOException {
        List<String> lines = Files.readAllLines(run.curveCsv());
        String[] header = lines.get(0).split(",");
        assertThat(header[0]).isEqualTo("step");
        Map<String, TreeMap<Long, Float>> out = new TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            for (int c = 1; c < header.length; c++) {
                if (!cells[c].isEmpty()) {
                    out.computeIfAbsent(TAGS.get(header[c]), t -> new TreeMap<>())
                            .put(Long.parseLong(cells[0]), Float.parseFloat(cells[c]));
                }
            }
        }
        return out;
    }

    private static double runStarted(JsonNode runJson) {
        return java.time.Instant.parse(runJson.path("provenance").path("started").asText()).getEpochSecond();
    }

    /** Every record of the file, which must end with a whole record. */
    private static List<Event> read(Path file) throws IOException {
        List<Event> events = new ArrayList<>();
        if (records(Files.readAllBytes(file), events) != Files.size(file)) {
            throw new AssertionError(file + ": ends in a torn record");
        }
        return events;
    }

    /** The records before a torn tail, as TensorBoard's readers take a file a killed writer left. */
    private static List<Event> readUpToTornTail(Path file) throws IOException {
        List<Event> events = new ArrayList<>();
        records(Files.readAllBytes(file), events);
        return events;
    }

    /**
     * Reads TFRecord framing: uint64 length, masked CRC32C of the length's 8 bytes, the data, masked CRC32C of the
     * data (all little-endian), each CRC checked. Returns where the whole records end.
     */
    private static long records(byte[] bytes, List<Event> into) throws InvalidProtocolBufferException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 12) {
            int start = b.position();
            long length = b.getLong();
            int lengthCrc = b.getInt();
            assertThat(lengthCrc).as("length CRC at " + start).isEqualTo(masked(crc32c(bytes, start, 8)));
            if (b.remaining() < length + 4) {
                b.position(start);
                break;
            }
            byte[] data = new byte[(int) length];
            b.get(data);
            assertThat(b.getInt()).as("data CRC at " + start).isEqualTo(masked(crc32c(data, 0, data.length)));
            into.add(Event.parseFrom(data));
        }
        return b.position();
    }

    /** One TFRecord as the test reads them: the start of a torn one is cut from it. */
    private static byte[] frame(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(16 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(masked(crc32c(b.array(), 0, 8)));
        b.put(data);
        b.putInt(masked(crc32c(data, 0, data.length)));
        return b.array();
    }

    /** The TFRecord mask: the CRC rotated right by 15 bits, plus 0xa282ead8 (mod 2^32). */
    private static int masked(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    private static int crc32c(byte[] bytes) {
        return crc32c(bytes, 0, bytes.length);
    }

    /** CRC-32C bit by bit: reflected polynomial 0x82F63B78, initial and final XOR 0xFFFFFFFF. */
    private static int crc32c(byte[] bytes, int offset, int length) {
        int crc = 0xFFFFFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc ^= bytes[i] & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc >>> 1) ^ (0x82F63B78 & -(crc & 1));
            }
        }
        return ~crc;
    }
}
