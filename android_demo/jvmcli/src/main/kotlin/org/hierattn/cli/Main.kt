package org.hierattn.cli

import org.hierattn.core.BoxReducer
import org.hierattn.core.InputTensor
import org.hierattn.core.Json
import org.hierattn.core.MetadataException
import org.hierattn.core.ModelMetadata
import org.hierattn.core.Preprocessor
import java.io.File
import java.security.MessageDigest
import kotlin.system.exitProcess

private const val USAGE = "usage: java -jar hierattn-core.jar --spec MODEL.tflite.json [--dump-dir DIR] [--repeat N] IMAGE..."

/**
 * Command-line entry point of the preprocessing core, for parity checks against the Python runtime.
 *
 * Prints one JSON document on stdout: per image, the crop box and a summary of the preprocessed
 * tensor; `--dump-dir` also writes each resized uint8 image as PNG so every value can be compared.
 * `--repeat N` decodes and preprocesses each image N times and reports every run's milliseconds
 * per stage (`timings`), for the end-to-end benchmark rows.
 * Exit codes: 0 all images processed, 1 some image failed, 2 usage or metadata error.
 */
fun main(args: Array<String>) {
    var specPath: String? = null
    var dumpDir: File? = null
    var repeat = 1
    val images = ArrayList<String>()
    var i = 0
    while (i < args.size) {
        when (args[i]) {
            "--spec" -> specPath = args.getOrNull(++i)
            "--dump-dir" -> dumpDir = args.getOrNull(++i)?.let { File(it) }
            "--repeat" -> repeat = args.getOrNull(++i)?.toIntOrNull()?.takeIf { it >= 1 } ?: usageError("--repeat needs a positive integer")
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
            results.add(describe(path, index, preprocessor, dumpDir, repeat))
        } catch (e: IllegalArgumentException) {
            failed = true
            results.add(mapOf("path" to path, "error" to (e.message ?: e.toString())))
        }
    }
    println(Json.write(mapOf("images" to results)))
    if (failed) exitProcess(1)
}

private fun describe(path: String, index: Int, preprocessor: Preprocessor, dumpDir: File?, repeat: Int): Map<String, Any?> {
    val decodeMs = ArrayList<Double>()
    val preprocessMs = ArrayList<Double>()
    val cpuMs = ArrayList<Double>()
    val threads = java.lang.management.ManagementFactory.getThreadMXBean()
    var decoded: org.hierattn.cli.DecodedImage? = null
    var result: org.hierattn.core.Preprocessed? = null
    repeat(repeat) {
        val c0 = threads.currentThreadCpuTime
        val t0 = System.nanoTime()
        val d = ImageIoDecoder.decodeReduced(File(path), preprocessor)
        val t1 = System.nanoTime()
        result = preprocessor.runReduced(d.reduced, d.reduction, d.decodedWidth, d.decodedHeight)
        val t2 = System.nanoTime()
        cpuMs.add((threads.currentThreadCpuTime - c0) / NANOS_PER_MS)
        decoded = d
        decodeMs.add((t1 - t0) / NANOS_PER_MS)
        preprocessMs.add((t2 - t1) / NANOS_PER_MS)
    }
    val d = decoded!!
    val r = result!!
    val metadata = preprocessor.metadata
    val out = LinkedHashMap<String, Any?>()
    out["path"] = path
    out["width"] = d.width
    out["height"] = d.height
    out["crop_box"] = r.cropBox?.let { BoxReducer.scaleBox(it, d.decoderScale, d.width, d.height) }?.toList()
    out["decoder_scale"] = d.decoderScale
    out["reduction"] = d.reduction
    out["resized_size"] = listOf(r.resized.width, r.resized.height)
    out["tensor_shape"] = InputTensor.shape(metadata).toList()
    out["tensor_mean"] = InputTensor.channelMeans(r.resized, metadata).toList()
    out["resized_sha256"] = sha256(r.resized.data)
    // The pixel buffers alive at once: the decoder's raster while it is copied or reduced into the core's image.
    out["pixel_buffers"] = mapOf(
        "decoder_bytes" to d.decodedBytes,
        "core_bytes" to d.reduced.data.size.toLong(),
        "full_rgb_bytes" to d.width.toLong() * d.height * 3
    )
    // cpu_ms: this thread's CPU time for decode + preprocess (wall time grows on a busy machine, this does not)
    if (repeat > 1) out["timings"] = mapOf("decode_ms" to decodeMs, "preprocess_ms" to preprocessMs, "cpu_ms" to cpuMs)
    if (dumpDir != null) {
        val png = File(dumpDir, String.format("%05d.png", index))
        ImageIoDecoder.writePng(r.resized, png)
        out["resized_png"] = png.path
    }
    return out
}

private const val NANOS_PER_MS = 1_000_000.0

private fun sha256(bytes: ByteArray): String =
    MessageDigest.getInstance("SHA-256").digest(bytes).joinToString("") { String.format("%02x", it) }

private fun usageError(message: String): Nothing {
    System.err.println("error: $message")
    exitProcess(2)
}
