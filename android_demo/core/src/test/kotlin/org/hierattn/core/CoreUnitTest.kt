package org.hierattn.core

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import java.io.File

/**
 * Pure unit tests of the core: JSON and metadata parsing, tensor layout and quantization, softmax,
 * top-k and the referral rule. The metadata is the golden vectors' spec, so no model constant is
 * written here.
 */
class CoreUnitTest {
    private val goldenDir = File(System.getProperty("hierattn.golden.dir") ?: "../../tests/golden")
    private val specMap: Map<*, *> by lazy { (Json.parse(File(goldenDir, "vectors.json").readText()) as Map<*, *>)["spec"] as Map<*, *> }
    private val metadata: ModelMetadata by lazy { ModelMetadata.fromMap(specMap) }

    @Test
    fun jsonRoundTripsNestedValues() {
        val text = "{\"a\": [1, 2.5, -3e2, true, false, null], \"b\": {\"s\": \"x\\\"y\\u00e9\\n\"}}"
        val parsed = Json.parse(text) as Map<*, *>
        assertEquals(listOf(1.0, 2.5, -300.0, true, false, null), parsed["a"])
        assertEquals("x\"y\u00e9\n", (parsed["b"] as Map<*, *>)["s"])
        assertEquals(parsed, Json.parse(Json.write(parsed)))
        assertEquals("\"a\\u0001\"", Json.write("a\u0001"))
    }

    @Test
    fun malformedJsonIsAMetadataError() {
        for (bad in listOf("{", "[1,,2]", "{\"a\" 1}", "tru", "{} x")) {
            try {
                Json.parse(bad)
                fail("parsed malformed JSON: $bad")
            } catch (e: MetadataException) {
                assertTrue(e.message!!.contains("invalid JSON"))
            }
        }
    }

    @Test
    fun metadataMatchesItsJson() {
        assertEquals(specMap["class_names"], metadata.classNames)
        val size = (specMap["input_size"] as List<*>).map { (it as Double).toInt() }
        assertEquals(size, listOf(metadata.inputHeight, metadata.inputWidth))
        assertEquals((specMap["crop"] as Map<*, *>)["threshold"], metadata.crop.threshold.toDouble())
        assertEquals(specMap["referral_threshold"], metadata.referralThreshold)
    }

    @Test
    fun metadataWithoutClassesOrNewerVersionIsRejected() {
        val noClasses = LinkedHashMap<Any?, Any?>(specMap)
        noClasses.remove("class_names")
        val newer = LinkedHashMap<Any?, Any?>(specMap)
        newer["format_version"] = ModelMetadata.FORMAT_VERSION + 1.0
        for (bad in listOf(noClasses, newer)) {
            try {
                ModelMetadata.fromMap(bad)
                fail("accepted bad metadata")
            } catch (e: MetadataException) {
                assertTrue(e.message!!.isNotEmpty())
            }
        }
    }

    @Test
    fun layoutsPlaceChannelsWhereTheModelExpectsThem() {
        val w = metadata.inputWidth
        val h = metadata.inputHeight
        val data = ByteArray(w * h * 3)
        for (i in 0 until w * h) {
            data[i * 3] = 1
            data[i * 3 + 1] = 2
            data[i * 3 + 2] = 3
        }
        val image = RgbImage(w, h, data)
        val nchw = InputTensor.floats(image, metadata.copy(layout = Layout.NCHW))
        val nhwc = InputTensor.floats(image, metadata.copy(layout = Layout.NHWC))
        assertEquals((2 * metadata.scale).toFloat(), nchw[w * h], 0f)
        assertEquals((2 * metadata.scale).toFloat(), nhwc[1], 0f)
        assertEquals((3 * metadata.scale).toFloat(), nhwc[2], 0f)
        assertEquals(listOf(1, h, w, 3), InputTensor.shape(metadata.copy(layout = Layout.NHWC)).toList())
    }

    @Test
    fun quantizationRoundsHalfToEvenAndClips() {
        val int8 = InputType.quantized(InputType.Kind.INT8, 0.5f, -3)
        assertEquals(-3 + 2, InputTensor.quantize(1.25f, int8))
        assertEquals(-3 + 4, InputTensor.quantize(1.75f, int8))
        assertEquals(127, InputTensor.quantize(1000f, int8))
        val uint8 = InputType.quantized(InputType.Kind.UINT8, 1f, 0)
        assertEquals(0, InputTensor.quantize(-5f, uint8))
    }

    @Test
    fun softmaxTopKAndReferralFollowTheMetadata() {
        val n = metadata.numClasses
        val referral = metadata.classNames.indexOf(metadata.referralClasses.first())
        val other = metadata.classNames.indices.first { metadata.classNames[it] !in metadata.referralClasses }
        val logits = FloatArray(n)
        logits[referral] = 10f
        val hot = Classification.fromLogits(logits, metadata)
        assertEquals(1.0, hot.probabilities.sum(), 1e-12)
        assertEquals(metadata.classNames[referral], hot.top(3)[0].label)
        assertEquals(Math.min(3, n), hot.top(3).size)
        assertTrue(hot.referral)
        logits[referral] = 0f
        logits[other] = 10f
        assertFalse(Classification.fromLogits(logits, metadata).referral)
        val flat = Classification.fromLogits(FloatArray(n), metadata)
        assertFalse(flat.referral)
        assertEquals(metadata.classNames[0], flat.top(1)[0].label)
    }

    @Test
    fun circleCropIsSkippedWhenDisabled() {
        val params = metadata.crop.copy(enabled = false)
        val image = RgbImage(metadata.inputWidth, metadata.inputHeight, ByteArray(metadata.inputWidth * metadata.inputHeight * 3))
        assertNull(CircleCrop(params).box(image))
    }
}
