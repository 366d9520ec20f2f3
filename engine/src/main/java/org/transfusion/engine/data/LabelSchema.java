package org.transfusion.engine.data;

import java.util.List;

/**
 * What a dataset's raw labels mean. {@code CLASS_INDEX}: one column holding a class index in
 * [0, classNames.size()); {@code MULTI_LABEL}: one column per finding, each 1, 0 or NaN (unknown, masked).
 */
public record LabelSchema(Kind kind, List<String> names) {
    public enum Kind { CLASS_INDEX, MULTI_LABEL }

    public LabelSchema {
        names = List.copyOf(names);
    }

    public static LabelSchema classes(List<String> classNames) {
        return new LabelSchema(Kind.CLASS_INDEX, classNames);
    }

    public static LabelSchema multiLabel(List<String> findings) {
        return new LabelSchema(Kind.MULTI_LABEL, findings);
    }

    /** Number of classes (class index) or findings (multi-label). */
    public int size() {
        return names.size();
    }

    /** Length of the raw label vector. */
    public int columns() {
        return kind == Kind.CLASS_INDEX ? 1 : names.size();
    }
}
