package org.transfusion.engine.data;

import java.lang.ref.SoftReference;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.transfusion.engine.data.SegmentationFiles.Entry;
import org.transfusion.engine.data.SegmentationFiles.MaskRule;
import org.transfusion.error.BadInputException;

/**
 * A segmentation split whose files stay on disk. {@link #open} reads every mask and field-of-view file and every
 * image's header, so that a wrong size, a missing file or a value outside the classes is refused before any
 * training; images are decoded when asked for. Masks and fields of view are kept softly (the garbage collector
 * may drop them and they are read again); each call hands out copies. Safe for concurrent reads.
 */
final class FileSegmentationSplit implements SegmentationSplit {
    /** Where the field of view comes from when an entry has no file: none (all 1) or derived from the image. */
    enum Fov { ALL, DERIVED }

    private final List<Entry> entries;
    private final int[] widths;
    private final int[] heights;
    private final int classes;
    private final MaskRule rule;
    private final ImageFiles.Mode mode;
    private final Fov fovRule;
    private final AtomicReferenceArray<SoftReference<byte[]>> masks;
    private final AtomicReferenceArray<SoftReference<byte[]>> fovs;

    private FileSegmentationSplit(List<Entry> entries, int[] widths, int[] heights, int classes, MaskRule rule,
                                  ImageFiles.Mode mode, Fov fovRule) {
        this.entries = List.copyOf(entries);
        this.widths = widths;
        this.heights = heights;
        this.classes = classes;
        this.rule = rule;
        this.mode = mode;
        this.fovRule = fovRule;
        this.masks = new AtomicReferenceArray<>(entries.size());
        this.fovs = new AtomicReferenceArray<>(entries.size());
    }

    /** Checks every entry (image header, mask, field-of-view file) and returns the split. */
    static FileSegmentationSplit open(List<Entry> entries, int classes, MaskRule rule, ImageFiles.Mode mode, Fov fov) {
        int n = entries.size();
        int[] w = new int[n];
        int[] h = new int[n];
        FileSegmentationSplit split = new FileSegmentationSplit(entries, w, h, classes, rule, mode, fov);
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            int[] size = SegmentationFiles.imageSize(e.image());
            w[i] = size[0];
            h[i] = size[1];
            split.masks.set(i, new SoftReference<>(SegmentationFiles.readMask(e.mask(), e.image(), w[i], h[i],
                    classes, rule)));
            if (e.fov() != null) {
                split.fovs.set(i, new SoftReference<>(SegmentationFiles.readFov(e.fov(), e.image(), w[i], h[i])));
            }
        }
        return split;
    }

    List<Entry> entries() {
        return entries;
    }

    /** The items at {@code indices}, in that order, sharing what was read. */
    FileSegmentationSplit subset(int[] indices) {
        Entry[] e = new Entry[indices.length];
        int[] w = new int[indices.length];
        int[] h = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            e[k] = entries.get(indices[k]);
            w[k] = widths[indices[k]];
            h[k] = heights[indices[k]];
        }
        FileSegmentationSplit out = new FileSegmentationSplit(List.of(e), w, h, classes, rule, mode, fovRule);
        for (int k = 0; k < indices.length; k++) {
            out.masks.set(k, masks.get(indices[k]));
            out.fovs.set(k, fovs.get(indices[k]));
        }
        return out;
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public String name(int i) {
        return entries.get(i).name();
    }

    /** The width and height of image {@code i}, from its header. */
    int width(int i) {
        return widths[i];
    }

    int height(int i) {
        return heights[i];
    }

    @Override
    public Image image(int i) {
        Entry e = entries.get(i);
        Image img = ImageFiles.read(e.image(), mode);
        if (img.width() != widths[i] || img.height() != heights[i]) {
            throw new BadInputException(e.image() + ": decoded " + img.width() + " x " + img.height()
                    + " pixels but its header declared " + widths[i] + " x " + heights[i]);
        }
        return img;
    }

    @Override
    public SegmentationSample sample(int i) {
        Entry e = entries.get(i);
        Image img = image(i);
        byte[] mask = cached(masks, i);
        if (mask == null) {
            mask = SegmentationFiles.readMask(e.mask(), e.image(), widths[i], heights[i], classes, rule);
            masks.set(i, new SoftReference<>(mask));
        }
        byte[] fov = cached(fovs, i);
        if (fov == null) {
            if (e.fov() != null) {
                fov = SegmentationFiles.readFov(e.fov(), e.image(), widths[i], heights[i]);
            } else if (fovRule == Fov.DERIVED) {
                fov = SegmentationFiles.deriveFov(img);
            } else {
                fov = new byte[widths[i] * heights[i]];
                java.util.Arrays.fill(fov, (byte) 1);
            }
            fovs.set(i, new SoftReference<>(fov));
        }
        return new SegmentationSample(e.name(), img, mask.clone(), fov.clone());
    }

    private static byte[] cached(AtomicReferenceArray<SoftReference<byte[]>> cache, int i) {
        SoftReference<byte[]> ref = cache.get(i);
        return ref == null ? null : ref.get();
    }
}
