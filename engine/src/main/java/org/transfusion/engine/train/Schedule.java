package org.transfusion.engine.train;

import org.transfusion.engine.run.ScheduleKind;

/**
 * Learning rate by step: {@code constant}, {@code cosine} (half cosine from the base rate to zero at the last
 * step), or {@code step} (x0.1 at 50% and again at 75% of the steps). All with a short linear warm-up (the
 * first 3% of steps, at most 200) so Adam's first updates do not wreck freshly initialised batch-norm.
 */
public record Schedule(ScheduleKind kind, double baseRate, long totalSteps) {
    public float rate(long step) {
        long warmup = Math.min(200, Math.max(1, totalSteps * 3 / 100));
        double warm = step < warmup ? (step + 1.0) / warmup : 1.0;
        double progress = totalSteps <= 1 ? 0 : (double) step / totalSteps;
        double factor = switch (kind) {
            case COSINE -> 0.5 * (1 + Math.cos(Math.PI * progress));
            case STEP -> progress < 0.5 ? 1 : progress < 0.75 ? 0.1 : 0.01;
            case CONSTANT -> 1;
        };
        return (float) (baseRate * warm * factor);
    }
}
