package org.transfusion.engine.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.error.BadInputException;
import org.transfusion.io.Npy;
import org.transfusion.io.NpyArray;

/**
 * {@code npz:PATH}: an archive in MedMNIST's layout, {@code {train,val,test}_{images,labels}}; images
 * {@code (N,H,W)} or {@code (N,H,W,C)} uint8, labels {@code (N,)}/{@code (N,1)} class indices or {@code (N,K)}
 * multi-label 0/1.
 */
public final class NpzDataset {
    private NpzDataset() {}

    public static Dataset open(String spec, String argument, DataOptions options) {
        return read(spec, Path.of(argument));
    }

    /** More classes than this in a single-label file is a corrupt label, not a dataset (a label of 1e8 would ask for
     *  a hundred million class names). */
    static final int MAX_CLASSES = 10_000;

    static Dataset read(String spec, Path file) {
        List<String> keys = new ArrayList<>();
        for (Split s : Split.values()) {
            keys.add(s.id() + "_images");
            keys.add(s.id() + "_labels");
        }
        Map<String, NpyArray> arrays = Npy.readNpz(file, keys);

        String stem = file.getFileName().toString().replaceFirst("\\.npz$", "");
        MedMnistInfo info = MedMnistInfo.find(stem);
        boolean multiLabel = arrays.get("train_labels").ndim() == 2 && arrays.get("train_labels").dim(1) > 1;
        long columns = multiLabel ? arrays.get("train_labels").dim(1) : 1;

        Map<Split, ImageSplit> splits = new EnumMap<>(Split.class);
        int maxClass = -1;
        for (Split s : Split.values()) {
            NpyArray images = arrays.get(s.id() + "_images");
            NpyArray labels = arrays.get(s.id() + "_labels");
            InMemorySplit split = toSplit(file, s, images, labels, columns,
                    info != null && !info.multiLabel() ? info : null);
            if (!multiLabel) {
                for (int i = 0; i < split.size(); i++) {
                    maxClass = Math.max(maxClass, (int) split.labels(i)[0]);
                }
            }
            splits.put(s, split);
        }

        LabelSchema schema;
        String defaultTask;
        if (multiLabel) {
            int k = (int) arrays.get("train_labels").dim(1);
            List<String> names = info != null && info.multiLabel() && info.classNames().size() == k
                    ? info.classNames() : numbered("finding", k);
            schema = LabelSchema.multiLabel(names);
            defaultTask = "multilabel";
        } else {
            int classes = maxClass + 1;
            List<String> names = info != null && !info.multiLabel() && info.classNames().size() >= classes
                    ? info.classNames() : numbered("class", classes);
            schema = LabelSchema.classes(names);
            defaultTask = info != null ? info.defaultTask() : classes == 2 ? "binary" : "multiclass";
        }
        if (info != null && multiLabel && "all14".equals(info.defaultTask()) && schema.size() == 14) {
            defaultTask = "all14";
        }
        Map<String, Object> identity = new LinkedHashMap<>(FileIdentity.of(file));
        return new Dataset(spec, stem, schema, splits, identity, defaultTask);
    }

    private static List<String> numbered(String prefix, int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(prefix + " " + i);
        }
        return names;
    }

    /**
     * One split's images and labels, each checked before a run uses them: at least one image of at least 1 x 1
     * pixels (an empty split or 0 x 0 images once failed only after a run folder was started), labels with the
     * train split's {@code columns}, and each label a class index (an integer from 0, below the known file's class
     * count or {@value #MAX_CLASSES}), or for multi-label files ({@code columns > 1}) targets of 0 or 1 (NaN:
     * masked).
     */
    private static InMemorySplit toSplit(Path file, Split s, NpyArray images, NpyArray labels, long columns,
                                         MedMnistInfo known) {
        boolean multiLabel = columns > 1;
        int classes = known != null ? known.classNames().size() : MAX_CLASSES;
        String where = file + ": " + s.id() + "_images";
        if (images.ndim() != 3 && images.ndim() != 4) {
            throw new BadInputException(where + " has shape " + shape(images)
                    + ", expected (N,H,W) or (N,H,W,C)");
        }
        if (!images.isUnsignedBytes()) {
            throw new BadInputException(where + " has dtype " + images.descr() + ", expected uint8 pixels");
        }
        if (images.dim(0) == 0) {
            throw new BadInputException(where + " has shape " + shape(images) + ", expected at least one image (the "
                    + "train split trains, val picks the best weights, test scores them)");
        }
        if (images.dim(1) == 0 || images.dim(2) == 0) {
            throw new BadInputException(where + " has shape " + shape(images) + ", images of " + images.dim(1)
                    + " x " + images.dim(2) + " pixels; expected at least 1 x 1");
        }
        int n = (int) images.dim(0);
        int h = (int) images.dim(1);
        int w = (int) images.dim(2);
        int c = images.ndim() == 4 ? (int) images.dim(3) : 1;
        if (c != 1 && c != 3) {
            throw new BadInputException(where + " has " + c + " channels, expected 1 (grey) or 3 (RGB)");
        }
        if (labels.ndim() == 0 || !labels.isNumeric()) {
            throw new BadInputException(file + ": " + s.id() + "_labels has shape " + shape(labels) + " and dtype "
                    + labels.descr() + ", expected numbers shaped (N,), (N,1) or (N,K)");
        }
        if (labels.dim(0) != n) {
            throw new BadInputException(file + ": " + s.id() + "_labels has " + labels.dim(0) + " rows but "
                    + s.id() + "_images has " + n + " images");
        }
        int k = labels.ndim() == 1 ? 1 : (int) labels.dim(1);
        if (labels.ndim() > 2 || k != columns || (multiLabel && labels.ndim() != 2)) {
            throw new BadInputException(file + ": " + s.id() + "_labels has shape " + shape(labels) + ", expected "
                    + (multiLabel ? "(" + n + "," + columns + ")" : "(" + n + ",) or (" + n + ",1)")
                    + " like train_labels");
        }
        float[][] raw = new float[n][];
        for (int i = 0; i < n; i++) {
            float[] row = new float[k];
            for (int j = 0; j < k; j++) {
                double v = labels.getDouble((long) i * k + j);
                if (!multiLabel && !(v >= 0 && v < classes && v == Math.rint(v))) {
                    throw new BadInputException(file + ": " + s.id() + "_labels[" + i + "] = " + v
                            + ", expected a class index 0.." + (classes - 1)
                            + (known != null ? " (" + known.name() + " has " + classes + " classes)" : ""));
                }
                if (multiLabel && !(v == 0 || v == 1 || Double.isNaN(v))) {
                    throw new BadInputException(file + ": " + s.id() + "_labels[" + i + ", " + j + "] = " + v
                            + ", expected 0 or 1 (a multi-label target)");
                }
                row[j] = (float) v;
            }
            raw[i] = row;
        }
        return new InMemorySplit(images.bytes(), 0, n, h, w, c, raw, null);
    }

    private static String shape(NpyArray a) {
        return java.util.Arrays.toString(a.shape()).replace('[', '(').replace(']', ')');
    }
}
