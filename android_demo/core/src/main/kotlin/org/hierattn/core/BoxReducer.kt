package org.hierattn.core

/**
 * Integer box pre-reduction, the first step of preprocessing version 2 (docs/preprocessing.md).
 *
 * A photo is averaged down by a power of two before the circle crop, so every later step costs
 * what the model input costs. Rows can be fed in strips straight from a decoder, so the
 * full-size image never has to exist as one array. Exact integer arithmetic: the same bytes as
 * the Python runtime and the web page.
 */
class BoxReducer(val width: Int, val height: Int, val k: Int) {
    init {
        require(width >= 1 && height >= 1) { "image must be at least 1 x 1, got $width x $height" }
        require(k in 1..MAX_FACTOR) { "reduction factor must be in 1..$MAX_FACTOR, got $k" }
    }

    val outWidth: Int = (width + k - 1) / k
    val outHeight: Int = (height + k - 1) / k
    private val out = ByteArray(outWidth * outHeight * 3)
    private val sums = IntArray(outWidth * 3)
    private var row = 0

    /** Add [rows] rows of RGB bytes from [data], row r starting at `offset + r * width * 3`. */
    fun addRgbRows(data: ByteArray, rows: Int, offset: Int = 0) {
        for (r in 0 until rows) {
            val base = offset + r * width * 3
            var x = 0
            for (bx in 0 until outWidth) {
                val end = Math.min(x + k, width)
                var sr = 0
                var sg = 0
                var sb = 0
                var p = base + x * 3
                while (x < end) {
                    sr += data[p].toInt() and 0xFF
                    sg += data[p + 1].toInt() and 0xFF
                    sb += data[p + 2].toInt() and 0xFF
                    x++
                    p += 3
                }
                sums[bx * 3] += sr
                sums[bx * 3 + 1] += sg
                sums[bx * 3 + 2] += sb
            }
            nextRow()
        }
    }

    /** Add [rows] rows of packed 0xAARRGGBB pixels (Bitmap.getPixels order), alpha dropped. */
    fun addArgbRows(argb: IntArray, rows: Int, offset: Int = 0) {
        for (r in 0 until rows) {
            val base = offset + r * width
            var x = 0
            for (bx in 0 until outWidth) {
                val end = Math.min(x + k, width)
                var sr = 0
                var sg = 0
                var sb = 0
                while (x < end) {
                    val v = argb[base + x]
                    sr += (v shr 16) and 0xFF
                    sg += (v shr 8) and 0xFF
                    sb += v and 0xFF
                    x++
                }
                sums[bx * 3] += sr
                sums[bx * 3 + 1] += sg
                sums[bx * 3 + 2] += sb
            }
            nextRow()
        }
    }

    private fun nextRow() {
        check(row < height) { "more rows than the image has" }
        row++
        if (row % k == 0 || row == height) flush()
    }

    /** Turn the finished band of block sums into one output row: `(sum + n / 2) / n`, n pixels in the block. */
    private fun flush() {
        val bandRows = if (row % k == 0) k else row % k
        val o = ((row + k - 1) / k - 1) * outWidth * 3
        for (bx in 0 until outWidth) {
            val n = bandRows * (Math.min((bx + 1) * k, width) - bx * k)
            val half = n / 2
            for (c in bx * 3 until bx * 3 + 3) {
                out[o + c] = ((sums[c] + half) / n).toByte()
                sums[c] = 0
            }
        }
    }

    /** The reduced image, once every row was added. */
    fun result(): RgbImage {
        check(row == height) { "only $row of $height rows were added" }
        return RgbImage(outWidth, outHeight, out)
    }

    companion object {
        /** The reduced short side stays >= this many times the model input's long side. */
        const val REDUCTION_MARGIN = 2

        /** Largest factor DCT-scaling decoders offer (JPEG: 1/2, 1/4, 1/8). */
        const val MAX_DECODER_SCALE = 8

        private const val MAX_FACTOR = 2048  // block sums, 255 * k * k, stay below 2^31

        /** Largest power of two k with `min(width, height) / k >= 2 * max(input side)`; 1 if none. */
        fun factor(width: Int, height: Int, inputWidth: Int, inputHeight: Int): Int {
            val floor = REDUCTION_MARGIN * Math.max(inputWidth, inputHeight)
            val short = Math.min(width, height)
            var k = 1
            while (short / (2 * k) >= floor) k *= 2
            return k
        }

        /** The scale to ask a decoder for (Android's inSampleSize): the factor, at most 8. */
        fun decoderScale(width: Int, height: Int, inputWidth: Int, inputHeight: Int): Int =
            Math.min(factor(width, height, inputWidth, inputHeight), MAX_DECODER_SCALE)

        /** The k x k block means of a whole image (the image itself when k is 1). */
        fun reduce(image: RgbImage, k: Int): RgbImage {
            if (k == 1) return image
            val reducer = BoxReducer(image.width, image.height, k)
            reducer.addRgbRows(image.data, image.height)
            return reducer.result()
        }

        /** Rows a strip-reading source delivers at a time: a few hundred kilobytes for a 4000-wide photo. */
        const val STRIP_ROWS = 16

        /**
         * Reduce a [width] x [height] image that a platform decoder holds (an Android Bitmap, a
         * BufferedImage) by [k], reading it [STRIP_ROWS] rows at a time as packed ARGB ints:
         * `read(y, rows, into)` fills `into` with rows `y until y + rows`. Only one strip and the
         * reduced image are ever allocated here.
         */
        fun fromArgbRows(width: Int, height: Int, k: Int, read: (y: Int, rows: Int, into: IntArray) -> Unit): RgbImage {
            val reducer = BoxReducer(width, height, k)
            val strip = IntArray(width * Math.min(STRIP_ROWS, height))
            var y = 0
            while (y < height) {
                val rows = Math.min(STRIP_ROWS, height - y)
                read(y, rows, strip)
                reducer.addArgbRows(strip, rows)
                y += rows
            }
            return reducer.result()
        }

        /** A box found on the image reduced by [k], in the coordinates of the [width] x [height] image. */
        fun scaleBox(box: CropBox, k: Int, width: Int, height: Int): CropBox =
            CropBox(box.x0 * k, box.y0 * k, Math.min(box.x1 * k, width), Math.min(box.y1 * k, height))
    }
}
