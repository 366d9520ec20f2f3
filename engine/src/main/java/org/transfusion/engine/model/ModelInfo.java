package org.transfusion.engine.model;

/**
 * Registry metadata of a model (in the manner of timm's pretrained configs): what it is, its natural input
 * size, where its first convolution and classifier are, and the normalisation its pretrained weights expect.
 */
public record ModelInfo(String name, String description, int defaultImageSize, String firstConvKey,
                        String classifierKey, String normalisation, Factory factory) {

    /** Builds the architecture for the given input channels, number of outputs and width multiplier. */
    @FunctionalInterface
    public interface Factory {
        Architecture build(int inputChannels, int outputs, double width);
    }

    public Architecture build(int inputChannels, int outputs, double width) {
        return factory.build(inputChannels, outputs, width);
    }
}
