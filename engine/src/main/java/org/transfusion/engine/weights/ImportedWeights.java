package org.transfusion.engine.weights;

import java.util.Map;
import org.transfusion.engine.model.StateDict;

/** Weights imported from another tool's file, with the record of how each tensor was mapped. */
public record ImportedWeights(StateDict weights, Map<String, Object> report) {}
