package org.transfusion.study;

import java.nio.file.Path;
import org.transfusion.engine.run.RunSpec;

/**
 * One training run of a study: a stable id (its folder name), the model, init scheme (canonical name), train
 * subset and seed it stands for in the study's tables, its complete run spec, and its folder.
 */
public record PlannedRun(String id, String model, String scheme, Integer trainSubset, long seed, RunSpec spec,
                         Path folder) {}
