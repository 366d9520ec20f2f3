package org.transfusion.engine.probe;

/**
 * One layer's sampled activations: {@code points x neurons}, row-major, float64 (rows = data points: an image,
 * or one spatial position of an image; columns = channels).
 *
 * @param images    how many images the rows come from
 * @param mapHeight the layer's spatial height (1 for a vector layer such as the pooled features)
 * @param mapWidth  its spatial width
 */
public record LayerActivations(String layer, int points, int neurons, double[] rows, int images, int mapHeight,
                               int mapWidth) {}
