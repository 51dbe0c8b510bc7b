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

    /**
     * One dilation ([dilate] = true, max) or erosion (min) with a k x k window anchored at k / 2,
     * positions outside the image ignored. A rectangular window is separable: rows, then columns.
     */
    private fun morph(src: ByteArray, width: Int, height: Int, dilate: Boolean): ByteArray =
        reduceAxis(reduceAxis(src, width, height, dilate, true), width, height, dilate, false)

    /**
     * `out[i] = max/min of src[i - anchor .. i - anchor + k - 1]` along x ([horizontal]) or y, by
     * combining whole shifted rows. The window always holds `i` itself, so `out` starts as a copy.
     */
    private fun reduceAxis(src: ByteArray, width: Int, height: Int, dilate: Boolean, horizontal: Boolean): ByteArray {
        val k = params.closingKernel
        val anchor = k / 2
        val out = src.copyOf()
        val n = if (horizontal) width else height
        for (step in 0 until k) {
            val shift = step - anchor  // out[i] combines src[i + shift]
            if (shift == 0 || Math.abs(shift) >= n) continue
            val lo = Math.max(0, -shift)
            val hi = n - Math.max(0, shift)
            if (horizontal) {
                var row = 0
                while (row < src.size) {
                    combine(out, src, row + lo, row + hi, shift, dilate)
                    row += width
                }
            } else {
                combine(out, src, lo * width, hi * width, shift * width, dilate)
            }
        }
        return out
    }

    private fun combine(out: ByteArray, src: ByteArray, from: Int, to: Int, offset: Int, dilate: Boolean) {
        if (dilate) {
            for (i in from until to) out[i] = (out[i].toInt() or src[i + offset].toInt()).toByte()
        } else {
            for (i in from until to) out[i] = (out[i].toInt() and src[i + offset].toInt()).toByte()
        }
    }

    /** A component of the closed mask: its bounding box and its filled area (pixels plus holes). */
    class Region(val box: CropBox, val filledArea: Long)

    /**
     * The 8-connected component with the largest filled area; ties go to the component whose first
     * pixel in row-major order comes first (labels are assigned in that order). Labels live on a
     * grid padded by one zero pixel on every side, so neighbours need no bounds checks.
     */
    fun largestRegion(mask: ByteArray, width: Int, height: Int): Region? {
        val stride = width + 2
        val padded = ByteArray(stride * (height + 2))
        for (y in 0 until height) System.arraycopy(mask, y * width, padded, (y + 1) * stride + 1, width)
        val labels = IntArray(padded.size)
        val stack = IntArray(mask.size)
        val neighbours = intArrayOf(-stride - 1, -stride, -stride + 1, -1, 1, stride - 1, stride, stride + 1)
        var best: Region? = null
        var nextLabel = 0
        for (y in 0 until height) {
            val rowStart = (y + 1) * stride + 1
            for (start in rowStart until rowStart + width) {
                if (padded[start].toInt() == 0 || labels[start] != 0) continue
                nextLabel++
                var x0 = start - (y + 1) * stride  // padded coordinates
                var x1 = x0
                var y0 = y + 1
                var y1 = y0
                var top = 0
                stack[top++] = start
                labels[start] = nextLabel
                while (top > 0) {
                    val p = stack[--top]
                    val py = p / stride
                    val px = p - py * stride
                    if (px < x0) x0 = px
                    if (px > x1) x1 = px
                    if (py < y0) y0 = py
                    if (py > y1) y1 = py
                    for (d in 0 until 8) {
                        val q = p + neighbours[d]
                        if (padded[q].toInt() != 0 && labels[q] == 0) {
                            labels[q] = nextLabel
                            stack[top++] = q
                        }
                    }
                }
                val box = CropBox(x0 - 1, y0 - 1, x1, y1)  // image coordinates, exclusive ends
                val filled = filledArea(labels, stride, box, nextLabel)
                if (best == null || filled > best.filledArea) best = Region(box, filled)
            }
        }
        return best
    }

    /**
     * Pixels of the box not reachable from outside by a 4-connected path avoiding [label].
     *
     * Everything outside the bounding box is outside the component, so flooding a one-pixel ring
     * around the box is the same as flooding from outside the image. The flood grid adds that ring
     * and a sentinel frame to the box; [labels] is padded by one pixel (row length [stride]).
     */
    private fun filledArea(labels: IntArray, stride: Int, box: CropBox, label: Int): Long {
        val bw = box.width
        val bh = box.height
        val w = bw + 4
        val h = bh + 4
        val seen = ByteArray(w * h)  // 1: sentinel frame, component pixel, or already reached
        for (x in 0 until w) {
            seen[x] = 1
            seen[(h - 1) * w + x] = 1
        }
        for (y in 0 until h) {
            seen[y * w] = 1
            seen[y * w + w - 1] = 1
        }
        for (y in 0 until bh) {
            val src = (box.y0 + y + 1) * stride + box.x0 + 1
            val dst = (y + 2) * w + 2
            for (x in 0 until bw) if (labels[src + x] == label) seen[dst + x] = 1
        }
        val stack = IntArray(w * h)
        var top = 0
        var reached = 0L
        seen[w + 1] = 1
        stack[top++] = w + 1
        while (top > 0) {
            val p = stack[--top]
            reached++
            if (seen[p + 1].toInt() == 0) { seen[p + 1] = 1; stack[top++] = p + 1 }
            if (seen[p - 1].toInt() == 0) { seen[p - 1] = 1; stack[top++] = p - 1 }
            if (seen[p + w].toInt() == 0) { seen[p + w] = 1; stack[top++] = p + w }
            if (seen[p - w].toInt() == 0) { seen[p - w] = 1; stack[top++] = p - w }
        }
        val ring = 2L * (bw + 2) + 2L * bh  // never blocked and always connected: all reached
        return bw.toLong() * bh - (reached - ring)
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
