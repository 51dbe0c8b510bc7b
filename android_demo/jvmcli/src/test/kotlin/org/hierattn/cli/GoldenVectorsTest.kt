package org.hierattn.cli

import org.hierattn.core.CircleCrop
import org.hierattn.core.InputTensor
import org.hierattn.core.ModelMetadata
import org.hierattn.core.Preprocessor
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.junit.runners.Parameterized

/**
 * The Kotlin core against every golden vector written by the Python runtime (tests/golden):
 * identical grey image, closed mask and crop box; resized pixels and tensor samples within 1/255.
 * The files and the spec come from [GoldenFile].
 */
@RunWith(Parameterized::class)
class GoldenVectorsTest(private val name: String, private val case: Map<*, *>) {

    @Test
    fun greyAndMaskMatchBitForBit() {
        val image = ImageIoDecoder.decode(golden.file(case["image"] as String))
        assertEquals("$name: grey", case["grey_sha256"], sha256(CircleCrop.grey(image)))
        val mask = CircleCrop(metadata.crop).closedMask(image)
        assertEquals("$name: mask after closing", case["mask_after_closing_sha256"], sha256(mask))
    }

    @Test
    fun cropBoxIsIdentical() {
        val image = ImageIoDecoder.decode(golden.file(case["image"] as String))
        assertEquals("$name: image size", (case["width"] as Double).toInt(), image.width)
        val expected = (case["crop_box"] as List<*>?)?.map { (it as Double).toInt() }
        val actual = Preprocessor(metadata).run(image).cropBox?.toList()
        assertEquals("$name: crop box", expected, actual)
    }

    @Test
    fun resizedPixelsWithinOneLevel() {
        val image = ImageIoDecoder.decode(golden.file(case["image"] as String))
        val actual = Preprocessor(metadata).run(image).resized
        val expected = ImageIoDecoder.decode(golden.file(case["resized"] as String))
        assertEquals("$name: width", expected.width, actual.width)
        assertEquals("$name: height", expected.height, actual.height)
        var worst = 0
        for (i in expected.data.indices) {
            val d = Math.abs((expected.data[i].toInt() and 0xFF) - (actual.data[i].toInt() and 0xFF))
            if (d > worst) worst = d
        }
        assertTrue("$name: resized pixels differ by up to $worst levels (allowed: 1)", worst <= 1)
    }

    @Test
    fun tensorSamplesWithinOneLevel() {
        val image = ImageIoDecoder.decode(golden.file(case["image"] as String))
        val resized = Preprocessor(metadata).run(image).resized
        val nchw = metadata.copy(layout = org.hierattn.core.Layout.NCHW)
        val values = InputTensor.floats(resized, nchw)
        val oneLevel = metadata.scale + 1e-6
        for (sample in case["samples"] as List<*>) {
            val s = sample as Map<*, *>
            val c = (s["c"] as Double).toInt()
            val y = (s["y"] as Double).toInt()
            val x = (s["x"] as Double).toInt()
            val got = values[(c * resized.height + y) * resized.width + x].toDouble()
            val want = s["value"] as Double
            assertEquals("$name: tensor[$c, $y, $x]", want, got, oneLevel)
        }
        val means = InputTensor.channelMeans(resized, metadata)
        val expectedMeans = (case["tensor_mean"] as List<*>).map { it as Double }
        for (c in expectedMeans.indices) assertEquals("$name: channel $c mean", expectedMeans[c], means[c], oneLevel)
    }

    companion object {
        private val golden = GoldenFile("vectors.json")
        private val metadata: ModelMetadata get() = golden.metadata

        @JvmStatic
        @Parameterized.Parameters(name = "{0}")
        fun cases(): Collection<Array<Any>> {
            return golden.parameters()
        }

        private fun sha256(bytes: ByteArray): String = GoldenFile.sha256(bytes)
    }
}
