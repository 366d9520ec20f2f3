import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.transfusion.engine.Seeds;
import org.transfusion.engine.data.Augment;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchLoader;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.run.RunSetup;
import org.transfusion.engine.run.RunSpec;

/**
 * Writes batches exactly as `transfusion train` builds them, for bench/e2e/parity.py to compare with
 * torch_train.py's loader. Run from the repository root as a single-file program:
 * <pre>java -cp 'cli/target/lib/*' bench/e2e/BatchDump.java DATA TASK SIZE AUGMENT SEED SUBSET BATCH OUT K,K,...</pre>
 * (SUBSET -1: the whole train split). OUT gets, per train batch K and then val batch 0, its images and targets as
 * little-endian float32; stdout one JSON line with each batch's image count and the input shape.
 */
public final class BatchDump {
    public static void main(String[] args) throws IOException {
        String data = args[0];
        String task = args[1];
        int size = Integer.parseInt(args[2]);
        Augment.Policy augment = Augment.Policy.parse(args[3]);
        long seed = Long.parseLong(args[4]);
        int subset = Integer.parseInt(args[5]);
        int batch = Integer.parseInt(args[6]);
        RunSpec spec = RunSpec.builder(data, "cbr-small").task(task).imageSize(size).augment(augment).seed(seed)
                .trainSubset(subset < 0 ? null : subset).batchSize(batch).length(null, 1).build();
        RunSetup s = RunSetup.prepare(spec);
        BatchLoader train = new BatchLoader(s.data().split(Split.TRAIN), s.task(), s.pipeline(), batch, true,
                Seeds.stream(seed, "shuffle"), Sampler.SHUFFLE);
        BatchLoader val = new BatchLoader(s.data().split(Split.VAL), s.task(), s.pipeline(), batch, false, 0);
        StringBuilder counts = new StringBuilder();
        try (DataOutputStream out = new DataOutputStream(new FileOutputStream(args[7]))) {
            for (String k : args[8].split(",")) {
                counts.append(write(out, train.batch(Long.parseLong(k)))).append(',');
            }
            counts.append(write(out, val.batch(0)));
        }
        System.out.printf("{\"counts\": [%s], \"channels\": %d, \"size\": %d, \"train_images\": %d}%n", counts,
                s.channels(), s.imageSize(), s.data().split(Split.TRAIN).size());
    }

    private static int write(DataOutputStream out, Batch b) throws IOException {
        for (float[] values : new float[][] {b.images(), b.targets()}) {
            ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(values);
            out.write(buf.array());
        }
        return b.count();
    }
}
