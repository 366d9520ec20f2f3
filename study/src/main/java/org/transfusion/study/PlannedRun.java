package org.transfusion.study;

import java.nio.file.Path;
import org.transfusion.engine.train.TrainOptions;

/** One training run of a study: a stable id (its folder name), its options, and where it goes. */
public record PlannedRun(String id, String model, String scheme, Integer trainSubset, long seed, TrainOptions options,
                         Path folder) {}
