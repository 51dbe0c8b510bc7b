package org.hierattn.core

/**
 * Pillow's 8-bit BILINEAR resize (an antialiasing triangle filter), reproduced bit for bit.
 *
 * Textbook 4-tap bilinear differs from Pillow by several levels when downscaling, which is most
 * phone photos; the model was trained on Pillow's output, so the app must match it
 * (docs/preprocessing.md, section 3).
 */
object PillowResize {
    private const val PRECISION_BITS = 22

    // Pillow's pixel-centre offset and round-half-up term (part of its algorithm, not model parameters).
    private const val PIXEL_CENTER = 0.5
    private const val ROUND_HALF = 0.5

    /** Per output index: first input index, tap count, and fixed-point weights. */
    private class Coefficients(val starts: IntArray, val counts: IntArray, val taps: Int, val weights: IntArray)

    /**
     * Resize [image] to [outWidth] x [outHeight] in two 1-D passes with a uint8 intermediate:
     * horizontal first, then vertical, always (docs/preprocessing.md). The Python runtime runs
     * the two passes as separate Pillow resizes, so the order does not depend on Pillow's version.
     */
    fun resize(image: RgbImage, outWidth: Int, outHeight: Int): RgbImage {
        require(outWidth >= 1 && outHeight >= 1) { "output size must be positive" }
        var current = image
        if (outWidth != current.width) current = horizontal(current, outWidth)
        if (outHeight != current.height) current = vertical(current, outHeight)
        return current
    }

    private fun coefficients(inSize: Int, outSize: Int): Coefficients {
        val scale = inSize.toDouble() / outSize
        val filterScale = Math.max(scale, 1.0)
        val support = filterScale
        val taps = Math.ceil(support).toInt() * 2 + 1
        val starts = IntArray(outSize)
        val counts = IntArray(outSize)
        val weights = IntArray(outSize * taps)
        val w = DoubleArray(taps)
        val ss = 1.0 / filterScale
        for (i in 0 until outSize) {
            val center = (i + PIXEL_CENTER) * scale
            var xmin = (center - support + ROUND_HALF).toInt()
            if (xmin < 0) xmin = 0
            var xmax = (center + support + ROUND_HALF).toInt()
            if (xmax > inSize) xmax = inSize
            val n = xmax - xmin
            var total = 0.0
            for (j in 0 until n) {
                w[j] = triangle((j + xmin - center + PIXEL_CENTER) * ss)
                total += w[j]
            }
            for (j in 0 until n) {
                if (total != 0.0) w[j] = w[j] / total
                val scaled = w[j] * (1 shl PRECISION_BITS)
                weights[i * taps + j] = if (w[j] < 0) (-ROUND_HALF + scaled).toInt() else (ROUND_HALF + scaled).toInt()
            }
            starts[i] = xmin
            counts[i] = n
        }
        return Coefficients(starts, counts, taps, weights)
    }

    private fun triangle(t: Double): Double {
        val a = Math.abs(t)
        return if (a < 1.0) 1.0 - a else 0.0
    }

    private fun clip8(acc: Int): Byte {
        if (acc <= 0) return 0
        if (acc >= (255 shl PRECISION_BITS)) return 255.toByte()
        return (acc shr PRECISION_BITS).toByte()
    }

    private fun horizontal(src: RgbImage, outWidth: Int): RgbImage {
        val c = coefficients(src.width, outWidth)
        val out = ByteArray(outWidth * src.height * 3)
        val d = src.data
        for (y in 0 until src.height) {
            val row = y * src.width * 3
            for (x in 0 until outWidth) {
                val start = c.starts[x]
                val base = x * c.taps
                var r = 1 shl (PRECISION_BITS - 1)
                var g = r
                var b = r
                for (j in 0 until c.counts[x]) {
                    val k = c.weights[base + j]
                    val p = row + (start + j) * 3
                    r += (d[p].toInt() and 0xFF) * k
                    g += (d[p + 1].toInt() and 0xFF) * k
                    b += (d[p + 2].toInt() and 0xFF) * k
                }
                val o = (y * outWidth + x) * 3
                out[o] = clip8(r)
                out[o + 1] = clip8(g)
                out[o + 2] = clip8(b)
            }
        }
        return RgbImage(outWidth, src.height, out)
    }

    private fun vertical(src: RgbImage, outHeight: Int): RgbImage {
        val c = coefficients(src.height, outHeight)
        val width = src.width
        val out = ByteArray(width * outHeight * 3)
        val d = src.data
        for (y in 0 until outHeight) {
            val start = c.starts[y]
            val base = y * c.taps
            for (x in 0 until width) {
                var r = 1 shl (PRECISION_BITS - 1)
                var g = r
                var b = r
                for (j in 0 until c.counts[y]) {
                    val k = c.weights[base + j]
                    val p = ((start + j) * width + x) * 3
                    r += (d[p].toInt() and 0xFF) * k
                    g += (d[p + 1].toInt() and 0xFF) * k
                    b += (d[p + 2].toInt() and 0xFF) * k
                }
                val o = (y * width + x) * 3
                out[o] = clip8(r)
                out[o + 1] = clip8(g)
                out[o + 2] = clip8(b)
            }
        }
        return RgbImage(width, outHeight, out)
    }
}
