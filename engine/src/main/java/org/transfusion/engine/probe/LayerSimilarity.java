package org.transfusion.engine.probe;

import java.util.List;
import java.util.Map;

/**
 * Similarity of one layer pair: values by measure ({@code cca}, {@code svcca}, {@code pwcca}, {@code cka_linear},
 * {@code cka_rbf}; NaN when the measure is undefined for this layer, with the reason in {@code notes}).
 */
public record LayerSimilarity(String layerA, String layerB, int points, int neuronsA, int neuronsB,
                              Map<String, Double> values, List<String> notes) {}
