package org.hierattn.cli

import org.hierattn.core.BoxReducer
import org.hierattn.core.CircleCrop
import org.hierattn.core.InputTensor
import org.hierattn.core.ModelMetadata
import org.hierattn.core.Preprocessor
import org.hierattn.core.RgbImage
import org.junit.Assert.assertEquals
import org.junit.Test
import org.junit.runner.RunWith
import org.junit.runners.Parameterized

/**
 * Preprocessing version 2 against the golden vectors the Python runtime wrote
 * (tests/golden/vectors_v2.json): reduction factor, reduced image, its grey image and closed mask,
 * crop box and resized image all identical, byte for byte. The large images (12 MP, 4001 x 2999,
 * ...) are drawn by [ProceduralImage] instead of being stored.
 */
@RunWith(Parameterized::class)
class GoldenVectorsV2Test(private val name: String, private val case: Map<*, *>) {

    private fun int(key: String): Int = (case[key] as Double).toInt()

    private val image: RgbImage by lazy {
        val procedural = case["procedural"] as Map<*, *>?
        if (procedural != null) {
            ProceduralImage.draw((procedural["width"] as Double).toInt(), (procedural["height"] as Double).toInt())
        } else {
            ImageIoDecoder.decode(golden.file(case["image"] as String))
        }
    }

    @Test
    fun reducedImageGreyAndMaskMatchBitForBit() {
        assertEquals("$name: size", listOf(int("width"), int("height")), listOf(image.width, image.height))
        val k = BoxReducer.factor(image.width, image.height, metadata.inputWidth, metadata.inputHeight)
        assertEquals("$name: reduction factor", int("reduction"), k)
        val reduced = BoxReducer.reduce(image, k)
        assertEquals("$name: reduced size", listOf(int("reduced_width"), int("reduced_height")), listOf(reduced.width, reduced.height))
        assertEquals("$name: reduced image", case["reduced_sha256"], sha256(reduced.data))
        assertEquals("$name: grey", case["grey_sha256"], sha256(CircleCrop.grey(reduced)))
        assertEquals("$name: mask after closing", case["mask_after_closing_sha256"], sha256(CircleCrop(metadata.crop).closedMask(reduced)))
    }

    @Test
    fun argbStripsReduceToTheSameBytes() {
        val k = int("reduction")
        val reducer = BoxReducer(image.width, image.height, k)
        val rows = 7
        val strip = IntArray(image.width * rows)
        var y0 = 0
        while (y0 < image.height) {
            val n = Math.min(rows, image.height - y0)
            for (i in 0 until image.width * n) {
                val p = (y0 * image.width + i) * 3
                val d = image.data
                strip[i] = (0xFF shl 24) or ((d[p].toInt() and 0xFF) shl 16) or ((d[p + 1].toInt() and 0xFF) shl 8) or (d[p + 2].toInt() and 0xFF)
            }
            reducer.addArgbRows(strip, n)
            y0 += n
        }
        assertEquals("$name: reduced from ARGB strips", case["reduced_sha256"], sha256(reducer.result().data))
    }

    @Test
    fun cropBoxResizedImageAndTensorAreIdentical() {
        val result = Preprocessor(metadata).run(image)
        val expected = (case["crop_box"] as List<*>?)?.map { (it as Double).toInt() }
        assertEquals("$name: crop box", expected, result.cropBox?.toList())
        assertEquals("$name: resized image", case["resized_sha256"], sha256(result.resized.data))
        val nchw = metadata.copy(layout = org.hierattn.core.Layout.NCHW)
        val values = InputTensor.floats(result.resized, nchw)
        for (sample in case["samples"] as List<*>) {
            val s = sample as Map<*, *>
            val c = (s["c"] as Double).toInt()
            val y = (s["y"] as Double).toInt()
            val x = (s["x"] as Double).toInt()
            val got = values[(c * result.resized.height + y) * result.resized.width + x]
            assertEquals("$name: tensor[$c, $y, $x]", (s["value"] as Double).toFloat(), got, 0f)
        }
        val means = InputTensor.channelMeans(result.resized, metadata)
        val expectedMeans = (case["tensor_mean"] as List<*>).map { it as Double }
        for (c in expectedMeans.indices) assertEquals("$name: channel $c mean", expectedMeans[c], means[c], 1e-6)
    }

    companion object {
        private val golden = GoldenFile("vectors_v2.json")
        private val metadata: ModelMetadata get() = golden.metadata

        @JvmStatic
        @Parameterized.Parameters(name = "{0}")
        fun cases(): Collection<Array<Any>> {
            check(metadata.preprocessing == 2) { "vectors_v2.json must be written for preprocessing version 2" }
            check(golden.cases.any { (it["width"] as Double) * (it["height"] as Double) >= 12e6 }) { "no 12 MP case in vectors_v2.json" }
            return golden.parameters()
        }

        private fun sha256(bytes: ByteArray): String = GoldenFile.sha256(bytes)
    }
}
