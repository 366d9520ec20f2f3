package org.transfusion.engine.init;

import java.util.Map;
import org.transfusion.engine.model.StateDict;

/** Initial weights and the record of how they were made (the transfer report, scheme parameters). */
public record InitResult(StateDict weights, Map<String, Object> report) {}
