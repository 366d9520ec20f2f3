package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

class Cifar10Test {

    @Test
    void sharedChunksLoadWithTenClassesAndAStratifiedValSplit() {
        Path dir = SharedData.require().resolve("cifar10");
        Dataset d = DatasetSpecs.open("cifar10:" + dir, DataOptions.defaults());
        // python3 + numpy over cifar10_{train,test}_NN.npz: 10 train chunks, 10,000 images, 1,000 per class;
        // 2 test chunks, 2,000 images, 200 per class. Val = 10% of each class = 100 x 10.
        assertThat(d.sizes()).containsEntry("train", 9000).containsEntry("val", 1000).containsEntry("test", 2000);
        assertThat(d.labels().names()).containsExactly("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                "horse", "ship", "truck");
        int[] valPerClass = new int[10];
        for (int i = 0; i < d.split(Split.VAL).size(); i++) {
            valPerClass[(int) d.split(Split.VAL).labels(i)[0]]++;
        }
        assertThat(valPerClass).containsOnly(100);
        // First test image, python3: z = np.load('cifar10_test_00.npz'); z['images'][0, 0, 0] -> [70, 85, 30],
        // z['labels'][0] -> 2. The test split keeps file order.
        Image first = d.split(Split.TEST).image(0);
        assertThat(new int[] {first.pixel(0, 0, 0), first.pixel(0, 0, 1), first.pixel(0, 0, 2)})
                .containsExactly(70, 85, 30);
        assertThat(d.split(Split.TEST).labels(0)).containsExactly(2f);
        assertThat(Tasks.resolve(null, d).outputs()).isEqualTo(10);
    }

    @Test
    void binaryBatchesAreConvertedFromChwToHwc(@TempDir Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        // 10 records per training batch (one per class) so the 10% val split has one image of each class.
        for (int k = 1; k <= 5; k++) {
            Files.write(bin.resolve("data_batch_" + k + ".bin"), records(10, k));
        }
        Files.write(bin.resolve("test_batch.bin"), records(3, 9));
        Dataset d = DatasetSpecs.open("cifar10:" + dir, DataOptions.defaults());
        assertThat(d.sizes()).containsEntry("train", 45).containsEntry("val", 5).containsEntry("test", 3);

        // Record r of the test batch holds label r % 10 and, at CHW offset (c, y, x), (c * 7 + y * 3 + x + r) & 0xff.
        Image img = d.split(Split.TEST).image(2);
        assertThat(d.split(Split.TEST).labels(2)).containsExactly(2f);
        assertThat(img.pixel(0, 0, 0)).isEqualTo(2);
        assertThat(img.pixel(5, 4, 1)).isEqualTo((7 + 5 * 3 + 4 + 2) & 0xff);
        assertThat(img.pixel(31, 30, 2)).isEqualTo((14 + 31 * 3 + 30 + 2) & 0xff);
    }

    @Test
    void aTruncatedBatchIsAnError(@TempDir Path dir) throws IOException {
        for (int k = 1; k <= 5; k++) {
            Files.write(dir.resolve("data_batch_" + k + ".bin"), records(2, k));
        }
        byte[] cut = java.util.Arrays.copyOf(records(2, 0), 3073 + 100);
        Files.write(dir.resolve("test_batch.bin"), cut);
        assertThatThrownBy(() -> DatasetSpecs.open("cifar10:" + dir))
                .isInstanceOf(BadInputException.class)
                .hasMessage(dir.resolve("test_batch.bin") + ": 3173 bytes is not a whole number of 3073-byte CIFAR-10 "
                        + "records (truncated or not a CIFAR-10 batch)");
    }

    /** {@code n} CIFAR binary records; record r: label r % 10, byte (c, y, x) = c * 7 + y * 3 + x + r. */
    static byte[] records(int n, int salt) {
        byte[] out = new byte[n * 3073];
        for (int r = 0; r < n; r++) {
            int base = r * 3073;
            out[base] = (byte) (r % 10);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        out[base + 1 + c * 1024 + y * 32 + x] = (byte) (c * 7 + y * 3 + x + r);
                    }
                }
            }
        }
        return out;
    }
}
