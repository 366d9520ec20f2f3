package org.transfusion.engine.data;

/** Opens datasets of one spec kind ({@code npz}, {@code medmnist}, ...) from the argument after the colon. */
@FunctionalInterface
public interface DatasetKind {
    Dataset open(String spec, String argument, DataOptions options);
}
