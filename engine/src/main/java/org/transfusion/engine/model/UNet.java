package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;

/**
 * A U-Net for segmentation on one of the classifiers' convolutional parts ({@link Encoder}): logits (batch,
 * outputs, H, W) at the input's resolution, for H and W multiples of {@link #sizeMultiple()} (the encoder's total
 * stride).
 *
 * <p>Encoder: the classifier's tensors with its keys under {@code encoder.} (e.g. {@code encoder.conv1.weight},
 * {@code encoder.features.0.0.weight}), without its classifier (fc / classifier.1), run by the classifier's own
 * forward code, so pretrained weights of the classifier fit it ({@link #transferSource()}).
 *
 * <p>Decoder ({@code decoder.}, always initialised at random): from the deepest map, one stage per halving of the
 * stride down to 1: upsample x2 (nearest neighbour, each value repeated 2 x 2, which is torch's
 * {@code F.interpolate(scale_factor=2, mode="nearest")}), concatenate on channels [upsampled, the encoder's map at
 * that stride (when it has one), the full-resolution stem (last stage only)], then two 3x3 conv-BN-ReLU ({@code
 * decoder.I.conv1/bn1/conv2/bn2}, no conv bias, BN eps 1e-5). The full-resolution stem is the decoder's own: two
 * 3x3 conv-BN-ReLU at stride 1 on the input ({@code decoder.stem.0/1.conv/bn}), so structures 1-2 pixels wide (thin
 * vessels) reach the last stage un-pooled. Then the 1x1 convolution with bias {@code decoder.head}, the
 * "classifier".
 *
 * <p>Blocks: the encoder's blocks, named as in the classifier (transfusion:BLOCK means the same there), then
 * {@code decoder}. Probed layers: the encoder's up to its deepest scale (the classifier's without its global
 * pool), then each decoder stage's output {@code decoder.0..N-1} (deepest first).
 */
public final class UNet extends Architecture {
    /** Where the encoder's tensors live. */
    public static final String ENCODER = "encoder.";
    private static final float EPS = 1e-5f;

    private final Architecture encoderArch;
    private final Encoder encoder;
    private final List<Stage> stages = new ArrayList<>();
    private final List<ConvBn> stem = new ArrayList<>();
    private final Conv head;
    private final List<String> layers = new ArrayList<>();
    private final int[] decoderWidths;
    private final int stemWidth;

    private record ConvBn(Conv conv, Bn bn) {
        NDArray apply(Params p, NDArray x, boolean training, NDArray input) {
            NDArray c = free(x, conv.apply(p, x), input);
            return free(c, bn.applyRelu(p, c, training));
        }
    }

    /** A decoder stage: the encoder map it concatenates (index into the scales, -1 for none) and its two convs. */
    private record Stage(int skip, boolean withStem, ConvBn first, ConvBn second) {}

    /**
     * @param encoder       a classifier that is an {@link Encoder} (its classifier is left out)
     * @param decoderWidths output channels of each decoder stage, deepest first: one per halving of the stride
     * @param stemWidth     channels of the full-resolution stem
     */
    public UNet(String name, int inputChannels, int outputs, Architecture encoder, int[] decoderWidths,
                int stemWidth) {
        super(name, inputChannels, outputs);
        if (!(encoder instanceof Encoder e)) {
            throw new IllegalArgumentException(encoder.name() + " is not an encoder");
        }
        this.encoderArch = encoder;
        this.encoder = e;
        this.decoderWidths = decoderWidths.clone();
        this.stemWidth = stemWidth;
        adopt(ENCODER, encoder);
        List<Encoder.Scale> scales = e.scales();
        int total = e.totalStride();
        if (Integer.bitCount(total) != 1 || 1 << decoderWidths.length != total) {
            throw new IllegalArgumentException(name + ": " + decoderWidths.length + " decoder stages for total stride "
                    + total);
        }
        List<String> encoderLayers = encoder.layers();
        layers.addAll(encoderLayers.subList(0, encoderLayers.indexOf(scales.get(scales.size() - 1).layer()) + 1));

        block("decoder");
        int in = inputChannels;
        for (int i = 0; i < 2; i++) {
            String k = "decoder.stem." + i;
            stem.add(new ConvBn(conv(k + ".conv", in, stemWidth, 3, 1, 1, 1, false), bn(k + ".bn", stemWidth, EPS)));
            in = stemWidth;
        }
        int channels = scales.get(scales.size() - 1).channels();
        int stride = total;
        for (int i = 0; i < decoderWidths.length; i++) {
            stride /= 2;
            int skip = -1;
            for (int s = 0; s < scales.size(); s++) {
                if (scales.get(s).stride() == stride) {
                    skip = s;
                }
            }
            boolean withStem = stride == 1;
            int cat = channels + (skip >= 0 ? scales.get(skip).channels() : 0) + (withStem ? stemWidth : 0);
            String k = "decoder." + i;
            int w = decoderWidths[i];
            ConvBn first = new ConvBn(conv(k + ".conv1", cat, w, 3, 1, 1, 1, false), bn(k + ".bn1", w, EPS));
            ConvBn second = new ConvBn(conv(k + ".conv2", w, w, 3, 1, 1, 1, false), bn(k + ".bn2", w, EPS));
            stages.add(new Stage(skip, withStem, first, second));
            layers.add(k);
            channels = w;
        }
        head = conv("decoder.head", channels, outputs, 1, 1, 0, 1, true);
    }

    /** The encoder's classifier model, whose weights fit the encoder. */
    @Override
    public Architecture transferSource() {
        return encoderArch;
    }

    @Override
    public String transferPrefix() {
        return ENCODER;
    }

    /** The scales the decoder reads. */
    public List<Encoder.Scale> scales() {
        return encoder.scales();
    }

    public int[] decoderWidths() {
        return decoderWidths.clone();
    }

    public int stemWidth() {
        return stemWidth;
    }

    @Override
    public int sizeMultiple() {
        return encoder.totalStride();
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    @Override
    public int minImageSize() {
        int m = sizeMultiple();
        return (encoderArch.minImageSize() + m - 1) / m * m;
    }

    @Override
    public String classifierPrefix() {
        return "decoder.head";
    }

    @Override
    public String firstConvPrefix() {
        return ENCODER + encoderArch.firstConvPrefix();
    }

    @Override
    public NDArray forward(Params p, NDArray x, boolean training, Taps taps) {
        long h0 = x.getShape().get(2);
        long w0 = x.getShape().get(3);
        int m = sizeMultiple();
        if (h0 % m != 0 || w0 % m != 0) {
            throw new IllegalArgumentException(name() + " needs height and width multiples of " + m + ", got " + h0
                    + " x " + w0);
        }
        List<NDArray> maps = encoder.encode(key -> p.get(ENCODER + key), x, training, taps);
        NDArray h = maps.get(maps.size() - 1);
        for (int i = 0; i < stages.size(); i++) {
            Stage st = stages.get(i);
            NDArray rows = h.repeat(2, 2);
            NDArray up = free(h, free(rows, rows.repeat(3, 2)));
            NDList parts = new NDList(up);
            if (st.skip >= 0) {
                parts.add(maps.get(st.skip));
            }
            if (st.withStem) {
                NDArray s = x;
                for (ConvBn c : stem) {
                    s = c.apply(p, s, training, x);
                }
                parts.add(s);
            }
            NDArray cat = NDArrays.concat(parts, 1);
            parts.close();
            NDArray a = st.first.apply(p, cat, training, x);
            h = taps.at("decoder." + i, st.second.apply(p, a, training, x));
        }
        return free(h, head.apply(p, h));
    }
}
