package org.hierattn.core

import java.nio.ByteBuffer
import java.security.MessageDigest

/**
 * Checks a model file against the sha256 digests hierattn-export recorded (docs/runtime_under_load.md),
 * the same two checks as the Python runtime's `hierattn.runtime.artifact.integrity`:
 *
 * - the sidecar's `artifact.sha256` / `artifact.size`: the plain sha256 of the whole file;
 * - the embedded `"embedded_sha256": "<64 hex>"` record: the sha256 of the file with those 64 hex
 *   digits replaced by "0" characters (a file cannot hold its own digest, but it can hold this one).
 */
object ArtifactIntegrity {
    private const val DIGEST_CHARS = 64
    private val MARKER = "\"embedded_sha256\": \"".toByteArray(Charsets.US_ASCII)
    private val PLACEHOLDER = ByteArray(DIGEST_CHARS) { '0'.toByte() }
    private const val HINT = "re-export the model with hierattn-export and copy it again"

    /** What [verify] established. */
    enum class Result { VERIFIED, UNSEALED }

    /** Lower-case hex sha256 of the remaining bytes of [data] (its position is not moved). */
    fun sha256Hex(data: ByteBuffer): String {
        val digest = MessageDigest.getInstance("SHA-256")
        digest.update(data.duplicate())
        return hex(digest.digest())
    }

    /**
     * Throws [MetadataException] naming both digests when [model] differs from what was exported.
     * [sidecarText] is the `<model>.json` text, or null when the app has no sidecar for it.
     */
    fun verify(model: ByteBuffer, sidecarText: String?): Result {
        var checked = false
        val record = sidecarText?.let { (Json.parse(it) as? Map<*, *>)?.get("artifact") as? Map<*, *> }
        if (record != null) {
            val expected = record["sha256"] as? String ?: throw MetadataException("sidecar artifact record has no sha256; $HINT")
            val expectedSize = (record["size"] as? Double)?.toLong() ?: throw MetadataException("sidecar artifact record has no size; $HINT")
            val actual = sha256Hex(model)
            val size = model.remaining().toLong()
            if (actual != expected || size != expectedSize) {
                throw MetadataException("model sha256 $actual ($size bytes) does not match $expected ($expectedSize bytes) recorded in the sidecar; $HINT")
            }
            checked = true
        }
        val offset = digestFieldOffset(model)
        if (offset >= 0) {
            val stored = String(bytesAt(model, offset, DIGEST_CHARS), Charsets.US_ASCII)
            val actual = blankedDigest(model, offset)
            if (stored != actual) {
                throw MetadataException("model sha256 $actual (digest field blanked) does not match $stored embedded in the model; $HINT")
            }
            checked = true
        }
        return if (checked) Result.VERIFIED else Result.UNSEALED
    }

    /** Offset (relative to the buffer's position) of the embedded digest's hex digits, or -1. */
    fun digestFieldOffset(model: ByteBuffer): Int {
        val base = model.position()
        val end = model.limit() - MARKER.size - DIGEST_CHARS
        var found = -1
        var i = 0
        while (i <= end - base) {
            if (matchesAt(model, base + i)) {
                if (found >= 0) throw MetadataException("the model holds more than one embedded_sha256 record; $HINT")
                found = i + MARKER.size
            }
            i++
        }
        return found
    }

    /** sha256 of [model] with the [DIGEST_CHARS] bytes at [offset] replaced by '0'. */
    fun blankedDigest(model: ByteBuffer, offset: Int): String {
        val digest = MessageDigest.getInstance("SHA-256")
        val head = model.duplicate()
        head.limit(head.position() + offset)
        digest.update(head)
        digest.update(PLACEHOLDER)
        val tail = model.duplicate()
        tail.position(tail.position() + offset + DIGEST_CHARS)
        digest.update(tail)
        return hex(digest.digest())
    }

    private fun matchesAt(model: ByteBuffer, at: Int): Boolean {
        for (k in MARKER.indices) if (model.get(at + k) != MARKER[k]) return false
        return true
    }

    private fun bytesAt(model: ByteBuffer, offset: Int, count: Int): ByteArray {
        val view = model.duplicate()
        view.position(view.position() + offset)
        val out = ByteArray(count)
        view.get(out)
        return out
    }

    private fun hex(bytes: ByteArray): String = bytes.joinToString("") { "%02x".format(it.toInt() and 0xff) }
}
