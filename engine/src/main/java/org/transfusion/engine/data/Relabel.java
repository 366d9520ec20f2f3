package org.transfusion.engine.data;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.error.BadInputException;

/**
 * A dataset's labels mapped onto another dataset's classes, written in its spec as {@code ?relabel=RULES} (any kind:
 * {@code nih-cxr14:PATH?relabel=normal:other;pneumonia:Pneumonia}), so that a model trained on one dataset is
 * evaluated on another with the same classes (external validation: a PneumoniaMNIST model on NIH ChestX-ray14's
 * pneumonia finding, a RetinaMNIST model on another fundus set's grades).
 *
 * <p>{@code RULES} lists the new classes in order, {@code NAME:SOURCE[+SOURCE...]} separated by {@code ;}: an image
 * is of the first class one of whose sources it has (a finding marked 1 in multi-label data, or its class in
 * single-label data); {@code NAME:other} takes the images no other class takes. The mapping is explicit: a source
 * that is not a label of the data is refused, and so is an image no class takes (when no class is {@code other}),
 * each in one line naming it. A multi-label image whose deciding finding is unknown (NaN) gets an unknown class. The
 * result is single-label ({@link LabelSchema#classes}); its splits are the data's own.
 */
public final class Relabel {
    /** A class of the new schema: its name and the source labels that make an image that class; none for other. */
    record Rule(String name, List<String> sources) {
        boolean other() {
            return sources.isEmpty();
        }
    }

    private Relabel() {}

    /** {@code spec} without its {@code relabel=} option, and the option's value (null when it has none). */
    static String[] split(String spec) {
        int q = spec.indexOf('?');
        if (q < 0) {
            return new String[] {spec, null};
        }
        List<String> kept = new ArrayList<>();
        String rules = null;
        for (String part : spec.substring(q + 1).split("&")) {
            if (part.startsWith("relabel=")) {
                if (rules != null) {
                    throw new BadInputException(spec + ": relabel= is given twice (expected once)");
                }
                rules = part.substring("relabel=".length());
            } else {
                kept.add(part);
            }
        }
        String base = spec.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new String[] {base, rules};
    }

    static List<Rule> parse(String rules, String spec) {
        List<Rule> out = new ArrayList<>();
        int others = 0;
        for (String part : rules.split(";")) {
            int colon = part.lastIndexOf(':');
            String name = colon < 0 ? "" : part.substring(0, colon).strip();
            String sources = colon < 0 ? "" : part.substring(colon + 1).strip();
            if (name.isEmpty() || sources.isEmpty()) {
                throw new BadInputException(spec + ": relabel: '" + BadInputException.printable(part) + "' is not "
                        + "NAME:SOURCE[+SOURCE...] or NAME:other (e.g. relabel=normal:other;pneumonia:Pneumonia)");
            }
            if (out.stream().anyMatch(r -> r.name().equals(name))) {
                throw new BadInputException(spec + ": relabel: class '" + name + "' is given twice");
            }
            if (sources.equals("other")) {
                others++;
                out.add(new Rule(name, List.of()));
            } else {
                out.add(new Rule(name, List.of(sources.split("\\+")).stream().map(String::strip).toList()));
            }
        }
        if (others > 1) {
            throw new BadInputException(spec + ": relabel: more than one class is 'other' (expected at most one)");
        }
        if (out.size() < 2) {
            throw new BadInputException(spec + ": relabel: expected at least two classes, got " + out.size());
        }
        return out;
    }

    /** {@code base} with its labels mapped by {@code rules} (the text after {@code relabel=}); {@code spec} names it. */
    static Dataset apply(Dataset base, String rules, String spec) {
        List<Rule> parsed = parse(rules, spec);
        LabelSchema from = base.labels();
        for (Rule r : parsed) {
            for (String s : r.sources()) {
                if (!from.names().contains(s)) {
                    throw new BadInputException(spec + ": relabel: '" + s + "' (of class " + r.name() + ") is not a "
                            + "label of " + base.spec() + " (its labels: " + String.join(", ", from.names()) + ")");
                }
            }
        }
        Map<Split, ImageSplit> splits = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            ImageSplit src = base.split(s);
            float[][] labels = new float[src.size()][];
            for (int i = 0; i < src.size(); i++) {
                labels[i] = new float[] {classOf(parsed, from, src.labels(i), s, i, spec)};
            }
            splits.put(s, new Mapped(src, labels));
        }
        Map<String, Object> identity = new LinkedHashMap<>(base.identity());
        identity.put("relabel", rules);
        return new Dataset(spec, base.name(), LabelSchema.classes(parsed.stream().map(Rule::name).toList()), splits,
                identity, "multiclass");
    }

    private static float classOf(List<Rule> rules, LabelSchema from, float[] raw, Split split, int index,
                                 String spec) {
        boolean unknown = false;
        for (int c = 0; c < rules.size(); c++) {
            for (String s : rules.get(c).sources()) {
                int k = from.names().indexOf(s);
                if (from.kind() == LabelSchema.Kind.CLASS_INDEX) {
                    if (!Float.isNaN(raw[0]) && Math.round(raw[0]) == k) {
                        return c;
                    }
                    unknown |= Float.isNaN(raw[0]);
                } else if (raw[k] == 1f) {
                    return c;
                } else {
                    unknown |= Float.isNaN(raw[k]);
                }
            }
        }
        if (unknown) {
            return Float.NaN;
        }
        for (int c = 0; c < rules.size(); c++) {
            if (rules.get(c).other()) {
                return c;
            }
        }
        String has = from.kind() == LabelSchema.Kind.CLASS_INDEX ? from.names().get(Math.round(raw[0]))
                : presentFindings(from, raw);
        throw new BadInputException(spec + ": relabel: " + split.id() + " image " + index + " (" + has + ") is of no "
                + "class: map its label to a class, or name a class NAME:other for the rest");
    }

    private static String presentFindings(LabelSchema from, float[] raw) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < raw.length; k++) {
            if (raw[k] == 1f) {
                out.add(from.names().get(k));
            }
        }
        return out.isEmpty() ? "no finding" : String.join(", ", out);
    }

    /** A split with its labels replaced. */
    private static final class Mapped implements ImageSplit {
        private final ImageSplit base;
        private final float[][] labels;

        Mapped(ImageSplit base, float[][] labels) {
            this.base = base;
            this.labels = labels;
        }

        @Override
        public int size() {
            return base.size();
        }

        @Override
        public Image image(int i) {
            return base.image(i);
        }

        @Override
        public float[] labels(int i) {
            return labels[i];
        }

        @Override
        public String patientId(int i) {
            return base.patientId(i);
        }
    }
}
