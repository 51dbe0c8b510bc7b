package org.hierattn.core

/**
 * An 8-bit RGB image, row-major, 3 bytes per pixel (R, G, B), independent of any platform bitmap.
 *
 * Android's Bitmap and the JVM's BufferedImage are both converted to this, so the preprocessing
 * below is the same code on the phone and in the JVM tests.
 */
class RgbImage(val width: Int, val height: Int, val data: ByteArray) {
    init {
        require(width >= 1 && height >= 1) { "image must be at least 1 x 1, got $width x $height" }
        require(data.size == width * height * 3) { "expected ${width * height * 3} bytes, got ${data.size}" }
    }

    /** Channel [c] (0 = R, 1 = G, 2 = B) of pixel ([x], [y]) as 0..255. */
    fun get(x: Int, y: Int, c: Int): Int = data[(y * width + x) * 3 + c].toInt() and 0xFF

    /** The sub-image [x0, x1) x [y0, y1), copied. */
    fun crop(box: CropBox): RgbImage {
        val w = box.x1 - box.x0
        val h = box.y1 - box.y0
        val out = ByteArray(w * h * 3)
        for (y in 0 until h) {
            System.arraycopy(data, ((box.y0 + y) * width + box.x0) * 3, out, y * w * 3, w * 3)
        }
        return RgbImage(w, h, out)
    }

    companion object {
        /** Build from packed 0xAARRGGBB ints (Bitmap.getPixels / BufferedImage.getRGB order); alpha is dropped. */
        fun fromArgb(width: Int, height: Int, argb: IntArray): RgbImage {
            val out = ByteArray(width * height * 3)
            for (i in 0 until width * height) {
                val p = argb[i]
                out[i * 3] = (p shr 16).toByte()
                out[i * 3 + 1] = (p shr 8).toByte()
                out[i * 3 + 2] = p.toByte()
            }
            return RgbImage(width, height, out)
        }
    }
}

/** A crop rectangle with exclusive ends, as in the Python runtime: (x0, y0, x1, y1). */
data class CropBox(val x0: Int, val y0: Int, val x1: Int, val y1: Int) {
    val width: Int get() = x1 - x0
    val height: Int get() = y1 - y0

    fun toList(): List<Int> = listOf(x0, y0, x1, y1)
}
