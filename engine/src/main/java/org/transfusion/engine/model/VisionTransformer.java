package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A vision transformer as timm's {@code VisionTransformer} builds {@code vit_small_patch16_224} (and its patch-8
 * sibling), with timm's keys and shapes: {@code cls_token} (1, 1, D), {@code pos_embed} (1, 1 + G*G, D) for the G x G
 * grid of its native 224 px input, {@code patch_embed.proj} (a P x P stride-P convolution with bias), then
 * {@code blocks.0..} pre-norm blocks (x + attn(norm1(x)), then x + mlp(norm2(x)); attention with a joint
 * {@code attn.qkv} projection with bias, {@code heads} heads, softmax(q k^T / sqrt(D / heads)) v and {@code
 * attn.proj}; the MLP {@code mlp.fc1}, exact erf GELU, {@code mlp.fc2}), the final {@code norm} over every token
 * and {@code head} on the class token. LayerNorm eps 1e-6. No drop-path and no dropout (timm's defaults for these
 * models are 0): training and evaluation run the same graph.
 *
 * <p>Inputs of any size from {@link #minImageSize()}: the grid is the input's side over P, rounded down (a border
 * narrower than a patch is left out, as the stride-P convolution does; use multiples of P). The position
 * embedding's grid part is resampled to the input's grid in the forward pass as timm's {@code
 * resample_abs_pos_embed} does (bicubic with antialias, PyTorch's {@code interpolate(..., mode="bicubic",
 * antialias=True)}: Keys' cubic with a = -0.5, stretched by the scale when shrinking, weights normalised; here as
 * one matrix product with a fixed interpolation matrix, {@link #resampling}); the class token's entry is kept; at
 * the native grid it is the embedding as it is. So 224 px pretrained weights fit a 64 px input unchanged.
 *
 * <p>Probed layers: {@code blocks.N} for a few blocks (each a quarter of the depth: 2, 5, 8, 11 of 12), each the
 * block's patch tokens without the class token, as an (N, D, h, w) map on the patch grid; then {@code pool}, the
 * class token after the final norm (what the head reads), (N, D). "Lower" layers are early blocks, "higher" ones
 * late blocks: every block sees the whole image (attention is global), so lower means fewer transformations of the
 * patches, not a smaller receptive field. Blocks of weight transfusion: {@code stem} (patch embedding, class token,
 * position embedding), {@code blocks.0..}, {@code norm}, {@code head}.
 */
public final class VisionTransformer extends Architecture {
    private static final float EPS = 1e-6f;

    private final int patch;
    private final int dim;
    private final int heads;
    private final int nativeGrid;
    private final Conv patchEmbed;
    private final List<Block> blocks = new ArrayList<>();
    private final Ln norm;
    private final Fc head;
    private final List<String> layers = new ArrayList<>();

    /**
     * @param nativeSize the input side the position embedding's grid is for (224 for timm's {@code *_224} models)
     * @param mlp        the MLP's hidden width (4 D in ViT-S)
     */
    public VisionTransformer(String name, int inputChannels, int outputs, int patch, int dim, int depth, int heads,
                             int mlp, int nativeSize) {
        super(name, inputChannels, outputs);
        this.patch = patch;
        this.dim = dim;
        this.heads = heads;
        this.nativeGrid = nativeSize / patch;
        block("stem");
        parameter("cls_token", new long[] {1, 1, dim}, TensorKind.CLS_TOKEN);
        parameter("pos_embed", new long[] {1, 1 + (long) nativeGrid * nativeGrid, dim}, TensorKind.POS_EMBED);
        patchEmbed = conv("patch_embed.proj", inputChannels, dim, patch, patch, 0, 1, true);
        for (int i = 0; i < depth; i++) {
            String b = "blocks." + i;
            block(b);
            blocks.add(new Block(b, layerNorm(b + ".norm1", dim, EPS), linear(b + ".attn.qkv", dim, 3 * dim),
                    linear(b + ".attn.proj", dim, dim), layerNorm(b + ".norm2", dim, EPS),
                    linear(b + ".mlp.fc1", dim, mlp), linear(b + ".mlp.fc2", mlp, dim)));
            if ((i + 1) % Math.max(1, depth / 4) == 0) {
                layers.add(b);
            }
        }
        block("norm");
        norm = layerNorm("norm", dim, EPS);
        layers.add("pool");
        block("head");
        head = linear("head", dim, outputs);
    }

    public int patch() {
        return patch;
    }

    @Override
    public RandomInit.Rule initRule() {
        return RandomInit.Rule.TIMM_VIT;
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    @Override
    public int minImageSize() {
        // A 2 x 2 grid: the smallest on which a probed map has more than one position.
        return 2 * patch;
    }

    @Override
    public String classifierPrefix() {
        return "head";
    }

    @Override
    public String firstConvPrefix() {
        return "patch_embed.proj";
    }

    @Override
    public NDArray forward(Params p, NDArray x, boolean training, Taps taps) {
        NDManager step = x.getManager();
        NDArray map = patchEmbed.apply(p, x); // (N, D, h, w)
        long n = map.getShape().get(0);
        int gh = (int) map.getShape().get(2);
        int gw = (int) map.getShape().get(3);
        NDArray flat = free(map, map.reshape(n, dim, (long) gh * gw));
        NDArray patches = free(flat, flat.transpose(0, 2, 1)); // (N, h w, D)
        // DJL puts an op's result in its first operand's manager: what derives from a parameter goes to the step's.
        NDArray cls = p.get("cls_token").broadcast(new Shape(n, 1, dim));
        cls.attach(step);
        NDArray tokens = free(patches, cls.concat(patches, 1));
        cls.close();
        NDArray pos = positions(p.get("pos_embed"), gh, gw, step);
        NDArray h = free(tokens, tokens.add(pos));
        if (pos != p.get("pos_embed")) {
            pos.close();
        }
        for (Block b : blocks) {
            h = free(h, b.apply(p, h));
            if (layers.contains(b.name) && taps.wants(b.name)) {
                h = tap(taps, b.name, h, gh, gw);
            }
        }
        NDArray normed = free(h, norm.apply(p, h));
        NDArray first = free(normed, normed.get(new NDIndex(":, 0, :")));
        NDArray pooled = taps.at("pool", first);
        return free(pooled, head.apply(p, pooled));
    }

    /**
     * Hands {@code taps} the patch tokens as an (N, D, h, w) map and continues with what it returns (Grad-CAM's leaf):
     * the class token of {@code tokens} followed by the returned map's tokens.
     */
    private static NDArray tap(Taps taps, String layer, NDArray tokens, int gh, int gw) {
        long n = tokens.getShape().get(0);
        long d = tokens.getShape().get(2);
        NDArray rest = tokens.get(new NDIndex(":, 1:, :"));
        NDArray moved = free(rest, rest.transpose(0, 2, 1));
        NDArray seen = taps.at(layer, free(moved, moved.reshape(n, d, gh, gw)));
        NDArray flat = seen.reshape(n, d, (long) gh * gw);
        NDArray back = free(flat, flat.transpose(0, 2, 1));
        NDArray cls = tokens.get(new NDIndex(":, :1, :"));
        NDArray out = free(cls, cls.concat(back, 1));
        back.close();
        return free(tokens, out);
    }

    /**
     * The position embedding for an h x w grid: {@code pos} itself on the native grid, else a new array in {@code
     * step}: the class token's entry, then the grid part resampled.
     */
    private NDArray positions(NDArray pos, int gh, int gw, NDManager step) {
        if (gh == nativeGrid && gw == nativeGrid) {
            return pos;
        }
        NDArray r = step.create(resampling(nativeGrid, nativeGrid, gh, gw),
                new Shape((long) gh * gw, (long) nativeGrid * nativeGrid));
        NDArray grid = pos.get(new NDIndex("0, 1:, :")); // (G G, D)
        NDArray resampled = free(r, r.matMul(grid));
        grid.close();
        NDArray batched = free(resampled, resampled.expandDims(0));
        NDArray prefix = pos.get(new NDIndex(":, :1, :"));
        NDArray out = free(prefix, prefix.concat(batched, 1));
        batched.close();
        out.attach(step);
        return out;
    }

    private static final Map<String, float[]> RESAMPLING = new ConcurrentHashMap<>();

    /**
     * The (oh ow) x (ih iw) matrix that resamples an ih x iw grid (row-major) to oh x ow as PyTorch's antialiased
     * bicubic interpolation does (align_corners false): the Kronecker product of the two axes' 1-D matrices
     * ({@link #resampling1d}).
     */
    static float[] resampling(int ih, int iw, int oh, int ow) {
        return RESAMPLING.computeIfAbsent(ih + "x" + iw + ">" + oh + "x" + ow, k -> {
            double[][] rows = resampling1d(ih, oh);
            double[][] cols = resampling1d(iw, ow);
            float[] out = new float[oh * ow * ih * iw];
            for (int a = 0; a < oh; a++) {
                for (int b = 0; b < ow; b++) {
                    for (int i = 0; i < ih; i++) {
                        for (int j = 0; j < iw; j++) {
                            out[((a * ow + b) * ih + i) * iw + j] = (float) (rows[a][i] * cols[b][j]);
                        }
                    }
                }
            }
            return out;
        });
    }

    /**
     * One axis of antialiased bicubic resampling from {@code in} to {@code out} samples: output i is centred at
     * {@code c = s (i + 1/2)} with {@code s = in / out}; it weighs input j by {@code k((j + 1/2 - c) / max(s, 1))},
     * k Keys' cubic with a = -0.5, over the inputs within {@code 2 max(s, 1)} of c, normalised to sum 1.
     */
    static double[][] resampling1d(int in, int out) {
        double scale = (double) in / out;
        double stretch = Math.max(scale, 1.0);
        double support = 2 * stretch;
        double[][] w = new double[out][in];
        for (int i = 0; i < out; i++) {
            double centre = scale * (i + 0.5);
            int lo = Math.max((int) (centre - support + 0.5), 0);
            int hi = Math.min((int) (centre + support + 0.5), in);
            double total = 0;
            for (int j = lo; j < hi; j++) {
                w[i][j] = cubic((j - centre + 0.5) / stretch);
                total += w[i][j];
            }
            for (int j = lo; j < hi; j++) {
                w[i][j] /= total;
            }
        }
        return w;
    }

    private static double cubic(double x) {
        double a = -0.5;
        double t = Math.abs(x);
        if (t < 1) {
            return ((a + 2) * t - (a + 3)) * t * t + 1;
        }
        return t < 2 ? (((t - 5) * t + 8) * t - 4) * a : 0;
    }

    /** One pre-norm transformer block. */
    private final class Block {
        private final String name;
        private final Ln norm1;
        private final Fc qkv;
        private final Fc proj;
        private final Ln norm2;
        private final Fc fc1;
        private final Fc fc2;

        Block(String name, Ln norm1, Fc qkv, Fc proj, Ln norm2, Fc fc1, Fc fc2) {
            this.name = name;
            this.norm1 = norm1;
            this.qkv = qkv;
            this.proj = proj;
            this.norm2 = norm2;
            this.fc1 = fc1;
            this.fc2 = fc2;
        }

        /** x + attn(norm1(x)), then + mlp(norm2(.)); x (N, T, D) is the caller's. */
        NDArray apply(Params p, NDArray x) {
            NDArray a = norm1.apply(p, x);
            NDArray attended = free(a, attention(p, a));
            NDArray h = free(attended, x.add(attended));
            NDArray b = norm2.apply(p, h);
            NDArray hidden = free(b, fc1.apply(p, b));
            NDArray act = free(hidden, Activation.gelu(hidden));
            NDArray m = free(act, fc2.apply(p, act));
            return free(m, free(h, h.add(m)));
        }

        private NDArray attention(Params p, NDArray x) {
            long n = x.getShape().get(0);
            long t = x.getShape().get(1);
            long hd = dim / heads;
            NDArray joint = qkv.apply(p, x); // (N, T, 3 D)
            NDArray split = free(joint, joint.reshape(n, t, 3, heads, hd).transpose(2, 0, 3, 1, 4));
            NDArray q = split.get(0);
            NDArray k = split.get(1);
            NDArray v = split.get(2);
            split.close();
            NDArray kt = free(k, k.transpose(0, 1, 3, 2));
            NDArray logits = free(q, q.matMul(kt));
            kt.close();
            NDArray scaled = free(logits, logits.mul(1.0 / Math.sqrt(hd)));
            NDArray weights = free(scaled, scaled.softmax(-1));
            NDArray mixed = free(weights, weights.matMul(v));
            v.close();
            NDArray merged = free(mixed, mixed.transpose(0, 2, 1, 3).reshape(n, t, dim));
            return free(merged, proj.apply(p, merged));
        }
    }
}
