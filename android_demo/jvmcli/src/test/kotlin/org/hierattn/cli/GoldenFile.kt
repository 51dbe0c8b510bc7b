package org.hierattn.cli

import org.hierattn.core.Json
import org.hierattn.core.ModelMetadata
import java.io.File
import java.security.MessageDigest

/**
 * One golden-vector file the Python runtime wrote (tests/golden), read once: its spec and cases.
 *
 * The folder comes from the system property `hierattn.golden.dir` (set by
 * scripts/android_core_test.sh); all expected values, including the spec, come from its files.
 */
class GoldenFile(private val fileName: String) {
    val dir = File(System.getProperty("hierattn.golden.dir") ?: "../../tests/golden")

    private val vectors: Map<*, *> by lazy {
        val file = File(dir, fileName)
        check(file.isFile) { "golden vectors not found at ${file.absolutePath}; set -Dhierattn.golden.dir" }
        Json.parse(file.readText()) as Map<*, *>
    }

    val metadata: ModelMetadata by lazy { ModelMetadata.fromMap(vectors["spec"] as Map<*, *>) }

    val cases: List<Map<*, *>> by lazy {
        val cases = (vectors["cases"] as List<*>).map { it as Map<*, *> }
        check(cases.isNotEmpty()) { "no golden cases in ${File(dir, fileName).absolutePath}" }
        System.out.println("$fileName: ${cases.size} cases (from ${dir.absolutePath})")
        cases
    }

    /** JUnit parameter rows: the case's name, then the case. */
    fun parameters(): Collection<Array<Any>> = cases.map { arrayOf<Any>(it["name"] as String, it) }

    /** A file the cases name (images, resized outputs), in the golden folder. */
    fun file(name: String): File = File(dir, name)

    companion object {
        fun sha256(bytes: ByteArray): String =
            MessageDigest.getInstance("SHA-256").digest(bytes).joinToString("") { String.format("%02x", it) }
    }
}
