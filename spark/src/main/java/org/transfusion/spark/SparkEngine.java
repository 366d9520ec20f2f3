package org.transfusion.spark;

import org.transfusion.study.ClusterEngine;
import org.transfusion.study.RunExecutor;

/** {@code study --engine spark}: the study's runs as tasks of a Spark application (see {@link SparkRunExecutor}). */
public final class SparkEngine implements ClusterEngine {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public RunExecutor open(Options options) {
        return new SparkRunExecutor(options);
    }
}
