package org.transfusion.engine.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Weights by torchvision key, in Java memory: what init schemes produce, what safetensors files hold, what a
 * {@link Network} is built from and copied back to. Insertion order is the architecture's order.
 */
public final class StateDict {
    private final LinkedHashMap<String, HostTensor> tensors = new LinkedHashMap<>();

    public StateDict() {}

    public StateDict(Map<String, HostTensor> from) {
        tensors.putAll(from);
    }

    public void put(String key, HostTensor t) {
        tensors.put(key, t);
    }

    public HostTensor get(String key) {
        return tensors.get(key);
    }

    public boolean contains(String key) {
        return tensors.containsKey(key);
    }

    public Set<String> keys() {
        return tensors.keySet();
    }

    public Map<String, HostTensor> asMap() {
        return tensors;
    }

    public int size() {
        return tensors.size();
    }

    public StateDict copy() {
        StateDict out = new StateDict();
        tensors.forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }
}
