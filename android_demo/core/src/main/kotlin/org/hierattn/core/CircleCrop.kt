package org.hierattn.core

/**
 * The circle crop that removes a dermoscope's black vignette (docs/preprocessing.md, section 2).
 *
 * Written without OpenCV, in integer arithmetic, so that this port and the Python runtime pick
 * the same box to the pixel. Every parameter comes from [CropParams] (the model metadata).
 */
class CircleCrop(private val params: CropParams) {

    /** The crop box for [image], or null when the rules say to keep the whole image. */
    fun box(image: RgbImage): CropBox? {
        if (!params.enabled) return null
        val mask = closedMask(image)
        val region = largestRegion(mask, image.width, image.height) ?: return null
        return accept(region, image.width, image.height)
    }

    /** Mask of `grey > threshold` after the closing; one byte (0 or 1) per pixel, row-major. */
    fun closedMask(image: RgbImage): ByteArray {
        val grey = grey(image)
        var mask = ByteArray(grey.size)
        for (i in grey.indices) mask[i] = if ((grey[i].toInt() and 0xFF) > params.threshold) 1 else 0
        for (i in 0 until params.closingIterations) mask = morph(mask, image.width, image.height, true)
        for (i in 0 until params.closingIterations) mask = morph(mask, image.width, image.height, false)
        return mask
    }

    /** One dilation ([dilate] = true, max) or erosion (min) with a k x k window anchored at k / 2. */
    private fun morph(src: ByteArray, width: Int, height: Int, dilate: Boolean): ByteArray {
        val k = params.closingKernel
        val anchor = k / 2
        val out = ByteArray(src.size)
        val wanted: Byte = if (dilate) 1 else 0
        for (y in 0 until height) {
            for (x in 0 until width) {
                var result: Byte = if (dilate) 0 else 1
                loop@ for (dy in 0 until k) {
                    val yy = y - anchor + dy
                    if (yy < 0 || yy >= height) continue
                    for (dx in 0 until k) {
                        val xx = x - anchor + dx
                        if (xx < 0 || xx >= width) continue
                        if (src[yy * width + xx] == wanted) {
                            result = wanted
                            break@loop
                        }
                    }
                }
                out[y * width + x] = result
            }
        }
        return out
    }

    /** A component of the closed mask: its bounding box and its filled area (pixels plus holes). */
    class Region(val box: CropBox, val filledArea: Long)

    /**
     * The 8-connected component with the largest filled area; ties go to the component whose first
     * pixel in row-major order comes first (labels are assigned in that order).
     */
    fun largestRegion(mask: ByteArray, width: Int, height: Int): Region? {
        val labels = IntArray(mask.size)
        val stack = IntArray(mask.size)
        var best: Region? = null
        var nextLabel = 0
        for (start in mask.indices) {
            if (mask[start].toInt() == 0 || labels[start] != 0) continue
            nextLabel++
            var x0 = start % width
            var x1 = x0
            var y0 = start / width
            var y1 = y0
            var top = 0
            stack[top++] = start
            labels[start] = nextLabel
            while (top > 0) {
                val p = stack[--top]
                val px = p % width
                val py = p / width
                if (px < x0) x0 = px
                if (px > x1) x1 = px
                if (py < y0) y0 = py
                if (py > y1) y1 = py
                for (ny in py - 1..py + 1) {
                    if (ny < 0 || ny >= height) continue
                    for (nx in px - 1..px + 1) {
                        if (nx < 0 || nx >= width) continue
                        val q = ny * width + nx
                        if (mask[q].toInt() != 0 && labels[q] == 0) {
                            labels[q] = nextLabel
                            stack[top++] = q
                        }
                    }
                }
            }
            val box = CropBox(x0, y0, x1 + 1, y1 + 1)
            val filled = filledArea(labels, width, box, nextLabel)
            if (best == null || filled > best.filledArea) best = Region(box, filled)
        }
        return best
    }

    /**
     * Pixels of the box not reachable from outside by a 4-connected path avoiding [label].
     *
     * Everything outside the bounding box is outside the component, so flooding a one-pixel ring
     * around the box is the same as flooding from outside the image.
     */
    private fun filledArea(labels: IntArray, width: Int, box: CropBox, label: Int): Long {
        val w = box.width + 2
        val h = box.height + 2
        val seen = BooleanArray(w * h)
        val stack = IntArray(w * h)
        var top = 0
        seen[0] = true
        stack[top++] = 0
        var reachedInside = 0L
        while (top > 0) {
            val p = stack[--top]
            val lx = p % w
            val ly = p / w
            if (lx in 1..w - 2 && ly in 1..h - 2) reachedInside++
            for (d in 0 until 4) {
                val nx = lx + DX4[d]
                val ny = ly + DY4[d]
                if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue
                val q = ny * w + nx
                if (seen[q]) continue
                val inBox = nx in 1..w - 2 && ny in 1..h - 2
                if (inBox && labels[(box.y0 + ny - 1) * width + (box.x0 + nx - 1)] == label) continue
                seen[q] = true
                stack[top++] = q
            }
        }
        return box.width.toLong() * box.height - reachedInside
    }

    /** Apply the area, whole-image and aspect-ratio rules to the chosen region. */
    private fun accept(region: Region, width: Int, height: Int): CropBox? {
        val fraction = region.filledArea.toDouble() / (width.toLong() * height).toDouble()
        if (fraction < params.minAreaFraction || fraction > params.maxAreaFraction) return null
        val box = region.box
        if (box.x0 == 0 && box.y0 == 0 && box.x1 == width && box.y1 == height) return null
        val longSide = Math.max(box.width, box.height).toDouble()
        val shortSide = Math.min(box.width, box.height).toDouble()
        if (longSide / shortSide > params.maxAspectRatio) return null
        return box
    }

    companion object {
        private val DX4 = intArrayOf(1, -1, 0, 0)
        private val DY4 = intArrayOf(0, 0, 1, -1)

        /** BT.601 luma in OpenCV's 8-bit fixed point, exactly `cv2.cvtColor(RGB2GRAY)`. */
        fun grey(image: RgbImage): ByteArray {
            val d = image.data
            val out = ByteArray(image.width * image.height)
            for (i in out.indices) {
                val r = d[i * 3].toInt() and 0xFF
                val g = d[i * 3 + 1].toInt() and 0xFF
                val b = d[i * 3 + 2].toInt() and 0xFF
                out[i] = ((GREY_R * r + GREY_G * g + GREY_B * b + GREY_ROUND) shr GREY_SHIFT).toByte()
            }
            return out
        }

        // OpenCV's fixed-point RGB->grey weights (not model parameters: part of the grey definition).
        private const val GREY_R = 4899
        private const val GREY_G = 9617
        private const val GREY_B = 1868
        private const val GREY_SHIFT = 14
        private const val GREY_ROUND = 1 shl (GREY_SHIFT - 1)
    }
}
