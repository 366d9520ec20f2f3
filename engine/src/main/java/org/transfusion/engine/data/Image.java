package org.transfusion.engine.data;

/** A decoded image: uint8 pixels, row-major height x width x channels (1 = grey, 3 = RGB). */
public record Image(int height, int width, int channels, byte[] pixels) {
    public Image {
        if (pixels.length != height * width * channels) {
            throw new IllegalArgumentException("pixels " + pixels.length + " != " + height + "x" + width + "x" + channels);
        }
    }

    public int pixel(int y, int x, int c) {
        return pixels[(y * width + x) * channels + c] & 0xff;
    }
}
