package org.transfusion.engine.data;

/**
 * One batch ready for the engine: {@code images} is {@code count x channels x size x size} float32 (CHW per
 * image), {@code targets} is {@code count x targetWidth} (see {@link Task}).
 */
public record Batch(long index, int count, int channels, int size, float[] images, float[] targets,
                    int targetWidth) {}
