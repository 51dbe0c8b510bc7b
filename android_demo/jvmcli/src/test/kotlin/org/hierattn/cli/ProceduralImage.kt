package org.hierattn.cli

import org.hierattn.core.RgbImage

/**
 * The large golden images, drawn from the same integer formula as the Python runtime's procedural
 * images (docs/preprocessing.md, "Golden vectors"), so no multi-megabyte file is committed.
 * Every intermediate value stays below 2^31 for sides up to 5000.
 */
object ProceduralImage {
    fun draw(width: Int, height: Int): RgbImage {
        require(width in 1..5000 && height in 1..5000) { "procedural images are 1..5000 pixels a side" }
        val side = Math.min(width, height)
        val cx = width * 11 / 20
        val cy = height * 9 / 20
        val r = side * 2 / 5
        val lx = width / 2
        val ly = height / 2
        val lr = side / 8
        val out = ByteArray(width * height * 3)
        var p = 0
        for (y in 0 until height) {
            val dy = 2 * y + 1 - 2 * cy
            for (x in 0 until width) {
                val noise = (x * x * 31 + y * y * 17 + x * y * 7) % 29
                val dx = 2 * x + 1 - 2 * cx
                val rgb = if (dx * dx + dy * dy <= 4 * r * r) {
                    if ((x - lx) * (x - lx) * 4 + (y - ly) * (y - ly) * 5 < 4 * lr * lr) {
                        intArrayOf(100 + noise, 62 + noise, 50 + noise)
                    } else {
                        val ramp = (x + 2 * y) * 24 / (width + 2 * height)
                        intArrayOf(176 + noise + ramp, 128 + noise + ramp, 108 + noise + ramp)
                    }
                } else {
                    val v = (x * 13 + y * 7) % 12
                    intArrayOf(v, v, v)
                }
                out[p] = rgb[0].toByte()
                out[p + 1] = rgb[1].toByte()
                out[p + 2] = rgb[2].toByte()
                p += 3
            }
        }
        return RgbImage(width, height, out)
    }
}
