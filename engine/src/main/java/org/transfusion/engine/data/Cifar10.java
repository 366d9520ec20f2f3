package org.transfusion.engine.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.transfusion.error.BadInputException;
import org.transfusion.io.Npy;
import org.transfusion.io.NpyArray;

/**
 * {@code cifar10:PATH}: CIFAR-10, the natural-image source task of the offline demo; {@code cifar10:download}
 * fetches the official binary release into the cache first ({@link Cifar10Download}). Two layouts:
 * <ul>
 *   <li>the official binary release ({@code cifar-10-batches-bin}: {@code data_batch_1..5.bin},
 *       {@code test_batch.bin}, records of 1 label byte + 3,072 pixel bytes in CHW order, class names in
 *       {@code batches.meta.txt}); PATH may be that folder or its parent;</li>
 *   <li>chunked npz files {@code cifar10_{train,test}_NN.npz} with {@code images (N,32,32,3) uint8} and
 *       {@code labels (N,)}, class names in {@code classes.txt}.</li>
 * </ul>
 * The test split is CIFAR's test set; val is a seeded, class-stratified 10% of the training set.
 */
public final class Cifar10 {
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");
    private static final int SIDE = 32;
    private static final int PIXELS = SIDE * SIDE * 3;
    private static final int RECORD = 1 + PIXELS;

    private Cifar10() {}

    /** Pixels (HWC) and labels of one CIFAR part, with the files it came from. */
    private record Part(byte[] pixels, int[] labels, List<Path> files) {}

    public static Dataset open(String spec, String argument, DataOptions options) {
        Path dir = argument.equals(Cifar10Download.KEYWORD) ? Cifar10Download.batches(options) : Path.of(argument);
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": not a folder (expected CIFAR-10 binary batches or "
                    + "cifar10_{train,test}_NN.npz chunks; cifar10:" + Cifar10Download.KEYWORD
                    + " fetches the official release into the cache)");
        }
        Path bin = Files.isRegularFile(dir.resolve("test_batch.bin")) ? dir : dir.resolve(Cifar10Download.FOLDER);
        Part train;
        Part test;
        List<String> names;
        if (Files.isRegularFile(bin.resolve("test_batch.bin"))) {
            List<Path> trainFiles = new ArrayList<>();
            for (int k = 1; k <= 5; k++) {
                Path f = bin.resolve("data_batch_" + k + ".bin");
                if (!Files.isRegularFile(f)) {
                    throw new BadInputException(f + ": not found (the binary release has data_batch_1..5.bin)");
                }
                trainFiles.add(f);
            }
            train = readBinary(trainFiles);
            test = readBinary(List.of(bin.resolve("test_batch.bin")));
            names = classNames(bin.resolve("batches.meta.txt"));
        } else {
            List<Path> trainFiles = chunks(dir, "train");
            List<Path> testFiles = chunks(dir, "test");
            if (trainFiles.isEmpty() || testFiles.isEmpty()) {
                throw new BadInputException(dir + ": no CIFAR-10 data (expected test_batch.bin + data_batch_1..5.bin, "
                        + "or cifar10_train_NN.npz and cifar10_test_NN.npz)");
            }
            train = readChunks(trainFiles);
            test = readChunks(testFiles);
            names = classNames(dir.resolve("classes.txt"));
        }

        int[] assign = SeededSplits.stratified(train.labels, new double[] {0.9, 0.1}, options.seed(), "cifar10:val");
        float[][] trainLabels = asLabels(train.labels);
        Map<Split, ImageSplit> splits = new EnumMap<>(Split.class);
        splits.put(Split.TRAIN, InMemorySplit.subset(train.pixels, SIDE, SIDE, 3, SeededSplits.indices(assign, 0),
                trainLabels, null));
        splits.put(Split.VAL, InMemorySplit.subset(train.pixels, SIDE, SIDE, 3, SeededSplits.indices(assign, 1),
                trainLabels, null));
        splits.put(Split.TEST, new InMemorySplit(test.pixels, 0, test.labels.length, SIDE, SIDE, 3,
                asLabels(test.labels), null));

        Map<String, Object> identity = new LinkedHashMap<>();
        List<Object> files = new ArrayList<>();
        for (Path f : train.files) {
            files.add(FileIdentity.of(f));
        }
        for (Path f : test.files) {
            files.add(FileIdentity.of(f));
        }
        identity.put("files", files);
        identity.put("split", "test = CIFAR test set; val = class-stratified 10% of train, seed " + options.seed());
        return new Dataset(spec, "cifar10", LabelSchema.classes(names), splits, identity, "multiclass");
    }

    private static Part readBinary(List<Path> files) {
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        List<Integer> labels = new ArrayList<>();
        byte[] record = new byte[RECORD];
        byte[] hwc = new byte[PIXELS];
        for (Path f : files) {
            long size;
            try {
                size = Files.size(f);
            } catch (IOException e) {
                throw new BadInputException(f + ": cannot read (" + e.getMessage() + ")");
            }
            if (size == 0 || size % RECORD != 0) {
                throw new BadInputException(f + ": " + size + " bytes is not a whole number of " + RECORD
                        + "-byte CIFAR-10 records (truncated or not a CIFAR-10 batch)");
            }
            try (InputStream in = Files.newInputStream(f)) {
                for (long r = 0; r < size / RECORD; r++) {
                    if (in.readNBytes(record, 0, RECORD) != RECORD) {
                        throw new BadInputException(f + ": truncated at record " + r);
                    }
                    int label = record[0] & 0xff;
                    if (label >= CLASSES.size()) {
                        throw new BadInputException(f + ": record " + r + " has label " + label + ", expected 0-9");
                    }
                    labels.add(label);
                    // CHW planes (all red, all green, all blue) to interleaved HWC.
                    for (int p = 0; p < SIDE * SIDE; p++) {
                        for (int c = 0; c < 3; c++) {
                            hwc[p * 3 + c] = record[1 + c * SIDE * SIDE + p];
                        }
                    }
                    pixels.write(hwc, 0, PIXELS);
                }
            } catch (IOException e) {
                throw new BadInputException(f + ": cannot read (" + e.getMessage() + ")");
            }
        }
        return new Part(pixels.toByteArray(), labels.stream().mapToInt(Integer::intValue).toArray(), files);
    }

    private static List<Path> chunks(Path dir, String part) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("cifar10_" + part + "_\\d+\\.npz")).sorted().toList();
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot list folder (" + e.getMessage() + ")");
        }
    }

    private static Part readChunks(List<Path> files) {
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        List<Integer> labels = new ArrayList<>();
        for (Path f : files) {
            Map<String, NpyArray> a = Npy.readNpz(f, List.of("images", "labels"));
            NpyArray images = a.get("images");
            NpyArray lab = a.get("labels");
            if (!images.isUnsignedBytes() || images.ndim() != 4 || images.dim(1) != SIDE || images.dim(2) != SIDE
                    || images.dim(3) != 3) {
                throw new BadInputException(f + ": images has dtype " + images.descr() + " and shape "
                        + java.util.Arrays.toString(images.shape()) + ", expected uint8 (N,32,32,3)");
            }
            if (!lab.isNumeric() || lab.ndim() < 1 || lab.size() != lab.dim(0)) {
                throw new BadInputException(f + ": labels has shape " + java.util.Arrays.toString(lab.shape())
                        + ", expected (N,) class indices");
            }
            if (lab.dim(0) != images.dim(0)) {
                throw new BadInputException(f + ": labels has " + lab.dim(0) + " rows but images has "
                        + images.dim(0));
            }
            for (int i = 0; i < lab.dim(0); i++) {
                double v = lab.getDouble(i);
                if (v < 0 || v >= CLASSES.size() || v != Math.rint(v)) {
                    throw new BadInputException(f + ": labels[" + i + "] = " + v + ", expected a class index 0-9");
                }
                labels.add((int) v);
            }
            pixels.writeBytes(images.bytes());
        }
        return new Part(pixels.toByteArray(), labels.stream().mapToInt(Integer::intValue).toArray(), files);
    }

    /** Class names from a one-per-line file when present (it must list 10), else the standard names. */
    private static List<String> classNames(Path file) {
        if (!Files.isRegularFile(file)) {
            return CLASSES;
        }
        List<String> names;
        try {
            names = Files.readAllLines(file).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (names.size() != CLASSES.size()) {
            throw new BadInputException(file + ": lists " + names.size() + " class names, expected 10");
        }
        return names;
    }

    private static float[][] asLabels(int[] labels) {
        float[][] out = new float[labels.length][];
        for (int i = 0; i < labels.length; i++) {
            out[i] = new float[] {labels[i]};
        }
        return out;
    }
}
