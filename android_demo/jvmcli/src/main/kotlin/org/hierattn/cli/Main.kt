package org.hierattn.cli

import org.hierattn.core.InputTensor
import org.hierattn.core.Json
import org.hierattn.core.MetadataException
import org.hierattn.core.ModelMetadata
import org.hierattn.core.Preprocessor
import java.io.File
import java.security.MessageDigest
import kotlin.system.exitProcess

private const val USAGE = "usage: java -jar hierattn-core.jar --spec MODEL.tflite.json [--dump-dir DIR] IMAGE..."

/**
 * Command-line entry point of the preprocessing core, for parity checks against the Python runtime.
 *
 * Prints one JSON document on stdout: per image, the crop box and a summary of the preprocessed
 * tensor; `--dump-dir` also writes each resized uint8 image as PNG so every value can be compared.
 * Exit codes: 0 all images processed, 1 some image failed, 2 usage or metadata error.
 */
fun main(args: Array<String>) {
    var specPath: String? = null
    var dumpDir: File? = null
    val images = ArrayList<String>()
    var i = 0
    while (i < args.size) {
        when (args[i]) {
            "--spec" -> specPath = args.getOrNull(++i)
            "--dump-dir" -> dumpDir = args.getOrNull(++i)?.let { File(it) }
            "-h", "--help" -> {
                println(USAGE)
                return
            }
            else -> images.add(args[i])
        }
        i++
    }
    if (specPath == null || images.isEmpty()) usageError(USAGE)
    val metadata = try {
        ModelMetadata.parse(File(specPath).readText())
    } catch (e: java.io.IOException) {
        usageError("cannot read --spec $specPath: ${e.message}")
    } catch (e: MetadataException) {
        usageError("$specPath: ${e.message}")
    }
    dumpDir?.mkdirs()
    val preprocessor = Preprocessor(metadata)
    val results = ArrayList<Map<String, Any?>>()
    var failed = false
    for ((index, path) in images.withIndex()) {
        try {
            results.add(describe(path, index, preprocessor, dumpDir))
        } catch (e: IllegalArgumentException) {
            failed = true
            results.add(mapOf("path" to path, "error" to (e.message ?: e.toString())))
        }
    }
    println(Json.write(mapOf("images" to results)))
    if (failed) exitProcess(1)
}

private fun describe(path: String, index: Int, preprocessor: Preprocessor, dumpDir: File?): Map<String, Any?> {
    val image = ImageIoDecoder.decode(File(path))
    val result = preprocessor.run(image)
    val metadata = preprocessor.metadata
    val out = LinkedHashMap<String, Any?>()
    out["path"] = path
    out["width"] = image.width
    out["height"] = image.height
    out["crop_box"] = result.cropBox?.toList()
    out["resized_size"] = listOf(result.resized.width, result.resized.height)
    out["tensor_shape"] = InputTensor.shape(metadata).toList()
    out["tensor_mean"] = InputTensor.channelMeans(result.resized, metadata).toList()
    out["resized_sha256"] = sha256(result.resized.data)
    if (dumpDir != null) {
        val png = File(dumpDir, String.format("%05d.png", index))
        ImageIoDecoder.writePng(result.resized, png)
        out["resized_png"] = png.path
    }
    return out
}

private fun sha256(bytes: ByteArray): String =
    MessageDigest.getInstance("SHA-256").digest(bytes).joinToString("") { String.format("%02x", it) }

private fun usageError(message: String): Nothing {
    System.err.println("error: $message")
    exitProcess(2)
}
