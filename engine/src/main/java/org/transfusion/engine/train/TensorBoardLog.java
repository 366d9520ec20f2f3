package org.transfusion.engine.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.transfusion.engine.Versions;
import org.transfusion.engine.io.ProtoMessage;
import org.transfusion.engine.io.TfRecordWriter;
import org.transfusion.engine.run.CurvePoint;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSpec;

/**
 * A run's learning curve for TensorBoard: one event file per training session in the run folder's tb/, holding what
 * curve.csv holds (each row's values as scalars at its step; an undefined AUC, empty in the csv, is left out) and the
 * run spec as hyper-parameters (the HParams plugin's session start, and its end when the run finishes or diverges).
 *
 * <p>A session's file starts with the file version, then a session START at step 0, then every row the session
 * began with (a resumed run's checkpoint curve) before the rows it adds, so the newest file alone holds the whole
 * curve. TensorBoard reads a run's files in name order ({@link RunFolder#newEventFile}) and lets the newest file's
 * points replace what it read before: its Python reader drops every point at or after a START's step, its Rust data
 * server a tag's points from any step offered again. So the points a killed session wrote after its last checkpoint,
 * which the resumed run computes again, are never shown twice or out of order, and a killed session's torn last
 * record is never written after (a new session writes a new file).
 *
 * <p>Field numbers are those of TensorBoard's messages: {@code tensorboard/compat/proto/event.proto} and
 * {@code summary.proto} (TensorFlow's {@code core/util/event.proto}, {@code core/framework/summary.proto},
 * {@code tensor.proto}, {@code tensor_shape.proto}), {@code tensorboard/plugins/hparams/plugin_data.proto} and
 * {@code api.proto}, and protobuf's {@code google/protobuf/struct.proto}. {@code EventFileTest} reads the files back
 * with protobuf-java on those definitions.
 */
final class TensorBoardLog implements AutoCloseable {
    /** Each curve.csv column's scalar tag. */
    static final Map<String, ToDoubleFunction<CurvePoint>> SCALARS = scalars();

    static final String FILE_VERSION = "brain.Event:2";
    static final String SESSION_START_TAG = "_hparams_/session_start_info";
    static final String SESSION_END_TAG = "_hparams_/session_end_info";

    // Event
    private static final int EVENT_WALL_TIME = 1;
    private static final int EVENT_STEP = 2;
    private static final int EVENT_FILE_VERSION = 3;
    private static final int EVENT_SUMMARY = 5;
    private static final int EVENT_SESSION_LOG = 7;
    // SessionLog
    private static final int SESSION_LOG_STATUS = 1;
    private static final int SESSION_LOG_START = 1;
    // Summary, Summary.Value, SummaryMetadata, SummaryMetadata.PluginData
    private static final int SUMMARY_VALUE = 1;
    private static final int VALUE_TAG = 1;
    private static final int VALUE_SIMPLE_VALUE = 2;
    private static final int VALUE_TENSOR = 8;
    private static final int VALUE_METADATA = 9;
    private static final int METADATA_PLUGIN_DATA = 1;
    private static final int PLUGIN_DATA_PLUGIN_NAME = 1;
    private static final int PLUGIN_DATA_CONTENT = 2;
    // TensorProto, TensorShapeProto, TensorShapeProto.Dim
    private static final int TENSOR_DTYPE = 1;
    private static final int TENSOR_SHAPE = 2;
    private static final int DT_FLOAT = 1;
    private static final int SHAPE_DIM = 2;
    // HParamsPluginData, SessionStartInfo, SessionEndInfo
    private static final int HPARAMS_SESSION_START_INFO = 3;
    private static final int HPARAMS_SESSION_END_INFO = 4;
    private static final int START_HPARAMS = 1;
    private static final int START_MODEL_URI = 2;
    private static final int START_TIME_SECS = 5;
    private static final int END_STATUS = 1;
    private static final int END_TIME_SECS = 2;
    static final int STATUS_SUCCESS = 1;
    static final int STATUS_FAILURE = 2;
    // a map entry; google.protobuf.Value
    private static final int ENTRY_KEY = 1;
    private static final int ENTRY_VALUE = 2;
    private static final int PROTO_NUMBER_VALUE = 2;
    private static final int PROTO_STRING_VALUE = 3;
    private static final int PROTO_BOOL_VALUE = 4;

    private final TfRecordWriter file;

    private TensorBoardLog(TfRecordWriter file) {
        this.file = file;
    }

    private static Map<String, ToDoubleFunction<CurvePoint>> scalars() {
        Map<String, ToDoubleFunction<CurvePoint>> m = new LinkedHashMap<>();
        m.put("train/loss", CurvePoint::trainLoss);
        m.put("val/auc", CurvePoint::valAuc);
        m.put("val/loss", CurvePoint::valLoss);
        m.put("val/dice", CurvePoint::valDice);
        m.put("train/lr", CurvePoint::lr);
        m.put("train/seconds", CurvePoint::trainSeconds);
        return m;
    }

    /** Starts this session's event file, with the spec's hyper-parameters and the rows the session begins with. */
    static TensorBoardLog start(RunFolder folder, RunSpec spec, List<CurvePoint> restored) {
        long now = System.currentTimeMillis();
        TensorBoardLog log = new TensorBoardLog(TfRecordWriter.create(folder.newEventFile(now / 1000,
                Versions.host())));
        log.file.write(event(0).string(EVENT_FILE_VERSION, FILE_VERSION).toByteArray());
        log.file.write(event(0).message(EVENT_SESSION_LOG, new ProtoMessage().varint(SESSION_LOG_STATUS,
                SESSION_LOG_START)).toByteArray());
        ProtoMessage startInfo = new ProtoMessage();
        hparamValues(spec.identity().toTree()).forEach((name, value) -> startInfo.message(START_HPARAMS,
                new ProtoMessage().string(ENTRY_KEY, name).message(ENTRY_VALUE, value)));
        startInfo.string(START_MODEL_URI, folder.dir().toAbsolutePath().toString());
        startInfo.doubleValue(START_TIME_SECS, now / 1000.0);
        log.hparams(SESSION_START_TAG, HPARAMS_SESSION_START_INFO, 0, startInfo);
        restored.forEach(log::add);
        return log;
    }

    /** One row of the curve, as it goes to curve.csv. */
    void add(CurvePoint p) {
        ProtoMessage summary = new ProtoMessage();
        boolean any = false;
        for (var e : SCALARS.entrySet()) {
            double v = e.getValue().applyAsDouble(p);
            if (!Double.isNaN(v)) {
                summary.message(SUMMARY_VALUE, new ProtoMessage().string(VALUE_TAG, e.getKey())
                        .floatValue(VALUE_SIMPLE_VALUE, (float) v));
                any = true;
            }
        }
        if (any) {
            file.write(event(p.step()).message(EVENT_SUMMARY, summary).toByteArray());
        }
    }

    /**
     * The session's end for the HParams plugin, {@link #STATUS_SUCCESS} or {@link #STATUS_FAILURE}, at the step it
     * ended (so that steps in the file never go back).
     */
    void ended(int status, long step) {
        hparams(SESSION_END_TAG, HPARAMS_SESSION_END_INFO, step, new ProtoMessage().varint(END_STATUS, status)
                .doubleValue(END_TIME_SECS, System.currentTimeMillis() / 1000.0));
    }

    @Override
    public void close() {
        file.close();
    }

    /**
     * An HParams plugin summary as TensorBoard's own writer makes it: the plugin data in the value's metadata, and an
     * empty float tensor as the value.
     */
    private void hparams(String tag, int field, long step, ProtoMessage data) {
        ProtoMessage pluginData = new ProtoMessage().string(PLUGIN_DATA_PLUGIN_NAME, "hparams")
                .bytes(PLUGIN_DATA_CONTENT, new ProtoMessage().message(field, data).toByteArray());
        ProtoMessage emptyTensor = new ProtoMessage().varint(TENSOR_DTYPE, DT_FLOAT)
                .message(TENSOR_SHAPE, new ProtoMessage().message(SHAPE_DIM, new ProtoMessage()));
        ProtoMessage value = new ProtoMessage().string(VALUE_TAG, tag)
                .message(VALUE_METADATA, new ProtoMessage().message(METADATA_PLUGIN_DATA, pluginData))
                .message(VALUE_TENSOR, emptyTensor);
        file.write(event(step).message(EVENT_SUMMARY, new ProtoMessage().message(SUMMARY_VALUE, value)).toByteArray());
    }

    /**
     * The spec's fields as hyper-parameter values: numbers, text and booleans as themselves, lists (the AUC
     * thresholds) as their JSON text; unset fields are left out.
     */
    static Map<String, ProtoMessage> hparamValues(JsonNode spec) {
        Map<String, ProtoMessage> out = new LinkedHashMap<>();
        spec.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v.isNumber()) {
                out.put(e.getKey(), new ProtoMessage().doubleValue(PROTO_NUMBER_VALUE, v.asDouble()));
            } else if (v.isBoolean()) {
                out.put(e.getKey(), new ProtoMessage().bool(PROTO_BOOL_VALUE, v.asBoolean()));
            } else if (v.isTextual()) {
                out.put(e.getKey(), new ProtoMessage().string(PROTO_STRING_VALUE, v.asText()));
            } else if (!v.isNull()) {
                out.put(e.getKey(), new ProtoMessage().string(PROTO_STRING_VALUE, v.toString()));
            }
        });
        return out;
    }

    private static ProtoMessage event(long step) {
        return new ProtoMessage().doubleValue(EVENT_WALL_TIME, System.currentTimeMillis() / 1000.0)
                .varint(EVENT_STEP, step);
    }
}
