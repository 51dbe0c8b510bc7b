package org.hierattn.core

import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import java.io.File
import java.nio.ByteBuffer

/**
 * The Kotlin digest check on a golden sealed .tflite written by the Python exporter's sealing code
 * (tests/golden/integrity, made by scripts/make_integrity_golden.py): the digests computed with
 * java.security.MessageDigest equal the ones Python recorded, and changed bytes are refused.
 */
class ArtifactIntegrityTest {
    private val dir = File(System.getProperty("hierattn.golden.dir") ?: "../../tests/golden", "integrity")
    private val model: ByteArray by lazy { File(dir, "tiny_sealed.tflite").readBytes() }
    private val sidecar: String by lazy { File(dir, "tiny_sealed.tflite.json").readText() }
    private val sidecarMap: Map<*, *> by lazy { Json.parse(sidecar) as Map<*, *> }

    @Test
    fun digestsEqualThoseRecordedByPython() {
        val artifact = sidecarMap["artifact"] as Map<*, *>
        assertEquals(artifact["sha256"], ArtifactIntegrity.sha256Hex(ByteBuffer.wrap(model)))
        assertEquals(artifact["size"], model.size.toDouble())
        val integrity = ((sidecarMap["extra"] as Map<*, *>)["integrity"] as Map<*, *>)
        val buffer = ByteBuffer.wrap(model)
        val offset = ArtifactIntegrity.digestFieldOffset(buffer)
        assertTrue(offset > 0)
        assertEquals(integrity["embedded_sha256"], ArtifactIntegrity.blankedDigest(buffer, offset))
        assertEquals(ArtifactIntegrity.Result.VERIFIED, ArtifactIntegrity.verify(buffer, sidecar))
        assertEquals(ArtifactIntegrity.Result.VERIFIED, ArtifactIntegrity.verify(buffer, null))
    }

    @Test
    fun changedBytesAreRefusedWithBothDigests() {
        val expected = (sidecarMap["artifact"] as Map<*, *>)["sha256"] as String
        val digestAt = ArtifactIntegrity.digestFieldOffset(ByteBuffer.wrap(model))
        for (at in listOf(0, 7, model.size / 3, model.size / 2, digestAt, digestAt + 63, model.size - 1)) {
            val copy = model.copyOf()
            copy[at] = (copy[at].toInt() xor 0x5a).toByte()
            for (text in listOf(sidecar, null)) {
                try {
                    ArtifactIntegrity.verify(ByteBuffer.wrap(copy), text)
                    fail("byte $at changed but the model verified (sidecar ${text != null})")
                } catch (e: MetadataException) {
                    val message = e.message!!
                    assertTrue(message, Regex("sha256 [0-9a-f]{64} .*does not match ").containsMatchIn(message))
                    if (text != null) assertTrue(message, message.contains(expected))
                }
            }
        }
    }

    @Test
    fun aFileWithoutRecordsIsReportedUnsealed() {
        val plain = ByteBuffer.wrap(ByteArray(100) { it.toByte() })
        assertEquals(ArtifactIntegrity.Result.UNSEALED, ArtifactIntegrity.verify(plain, "{\"class_names\": [\"a\"]}"))
    }
}
