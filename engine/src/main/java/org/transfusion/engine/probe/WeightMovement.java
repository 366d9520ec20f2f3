package org.transfusion.engine.probe;

import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.model.TensorSpec;

/**
 * How far each layer's weights moved in training: {@code ||w_end - w_init|| / ||w_init||} per conv/linear weight
 * tensor (Frobenius norms), the paper's measure of which layers training actually changes.
 */
public final class WeightMovement {
    private WeightMovement() {}

    /** Relative movement by weight key, in architecture order. */
    public static Map<String, Double> of(Architecture arch, StateDict init, StateDict end) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (TensorSpec spec : arch.specs().values()) {
            if (!spec.kind().isWeightMatrix()) {
                continue;
            }
            HostTensor a = init.get(spec.key());
            HostTensor b = end.get(spec.key());
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < a.values().length; i++) {
                double d = (double) b.values()[i] - a.values()[i];
                diff += d * d;
                norm += (double) a.values()[i] * a.values()[i];
            }
            out.put(spec.key(), norm == 0 ? (diff == 0 ? 0.0 : Double.POSITIVE_INFINITY) : Math.sqrt(diff / norm));
        }
        return out;
    }
}
