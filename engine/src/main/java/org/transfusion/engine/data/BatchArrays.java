package org.transfusion.engine.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Puts a batch's images on the engine through one direct buffer reused for every batch. On CPU, libtorch wraps
 * a direct buffer without copying, and DJL would otherwise allocate a fresh one per batch that only the garbage
 * collector frees: measured, about 100 KB of resident memory per step kept growing over a 2,000-step run. The
 * array must be closed (its step's manager closed) before the next call overwrites the buffer.
 */
public final class BatchArrays {
    private ByteBuffer buffer;

    public NDArray images(NDManager manager, Batch b) {
        int bytes = b.images().length * Float.BYTES;
        if (buffer == null || buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        buffer.clear();
        buffer.asFloatBuffer().put(b.images());
        buffer.limit(bytes);
        return manager.create(buffer.slice().order(ByteOrder.nativeOrder()),
                new Shape(b.count(), b.channels(), b.size(), b.size()), DataType.FLOAT32);
    }
}
