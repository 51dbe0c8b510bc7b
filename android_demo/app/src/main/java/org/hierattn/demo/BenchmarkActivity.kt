package org.hierattn.demo

import android.net.Uri
import android.os.Build
import android.os.Bundle
import android.os.SystemClock
import android.util.Log
import androidx.appcompat.app.AppCompatActivity
import org.hierattn.core.BenchmarkReport
import org.hierattn.core.BenchmarkRequest
import org.hierattn.core.InputTensor
import org.hierattn.core.RgbImage
import java.io.File
import java.util.Random

/**
 * Headless benchmark driven over adb (format in docs/android.md):
 *
 *     adb shell am start -W -n org.hierattn.demo/.BenchmarkActivity \
 *         --es model NAME.tflite --ei threads 4 --ei warmup 10 --ei iterations 50 --es delegate cpu
 *
 * Times `Interpreter.run` only, on a fixed synthetic image preprocessed like a photo; writes
 * `key=value` lines to logcat (tag HierAttnBench) and a JSON file under files/benchmark/.
 * With `--es photo /sdcard/Download/photo.jpg` it also runs the photo end to end `iterations`
 * times and reports milliseconds per stage (decode, preprocess, inference), as the web page does.
 */
class BenchmarkActivity : AppCompatActivity() {

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_benchmark)
        val (request, photo) = parseRequest()
        Thread({
            run(request, photo)
            runOnUiThread { finish() }
        }, "hierattn-benchmark").start()
    }

    private fun parseRequest(): Pair<BenchmarkRequest, String?> {
        val extras = intent.extras ?: Bundle()
        return BenchmarkRequest(
            runId = extras.getString(EXTRA_RUN_ID) ?: System.currentTimeMillis().toString(),
            model = extras.getString(EXTRA_MODEL) ?: ModelAssets.list(this).firstOrNull().orEmpty(),
            delegate = extras.getString(EXTRA_DELEGATE) ?: Delegate.CPU.label,
            threads = extras.getInt(EXTRA_THREADS, DEFAULT_THREADS),
            warmup = extras.getInt(EXTRA_WARMUP, DEFAULT_WARMUP),
            iterations = extras.getInt(EXTRA_ITERATIONS, DEFAULT_ITERATIONS)
        ) to extras.getString(EXTRA_PHOTO)
    }

    private fun run(request: BenchmarkRequest, photo: String?) {
        val dir = File(filesDir, RESULT_DIR).apply { mkdirs() }
        val file = File(dir, request.runId + ".json")
        Log.i(BenchmarkReport.TAG, BenchmarkReport.startLine(request))
        try {
            val delegate = Delegate.values().firstOrNull { it.label == request.delegate }
                ?: throw IllegalArgumentException("delegate '${request.delegate}' is not one of cpu, gpu")
            require(request.iterations >= 1) { "iterations must be at least 1" }
            require(request.warmup >= 1) { "warmup must be at least 1 (its first run is reported as first_ms)" }
            val start = SystemClock.elapsedRealtimeNanos()
            val classifier = HierAttnClassifier.create(this, request.model, request.threads, delegate)
            val initMs = (SystemClock.elapsedRealtimeNanos() - start) / NANOS_PER_MS
            classifier.use { c ->
                c.prepare(syntheticImage(c.metadata.inputWidth, c.metadata.inputHeight))
                val firstMs = c.runOnce()
                repeat(request.warmup - 1) { c.runOnce() }
                val latencies = DoubleArray(request.iterations) { c.runOnce() }
                val stages = if (photo == null) emptyMap() else endToEnd(c, File(photo), request.iterations)
                val report = BenchmarkReport(
                    request, initMs, firstMs, latencies, deviceInfo(),
                    InputTensor.shape(c.metadata).toList(), c.inputDescription, stages
                )
                file.writeText(report.toJson())
                File(dir, LATEST).writeText(report.toJson())
                Log.i(BenchmarkReport.TAG, report.resultLine(file.absolutePath))
            }
            Log.i(BenchmarkReport.TAG, BenchmarkReport.doneLine(request.runId, null))
        } catch (e: Exception) {
            val message = e.message ?: e.toString()
            file.writeText(BenchmarkReport.errorJson(request, message))
            File(dir, LATEST).writeText(BenchmarkReport.errorJson(request, message))
            Log.e(BenchmarkReport.TAG, BenchmarkReport.doneLine(request.runId, message))
        }
    }

    /** [iterations] runs of [photo] through decode, preprocessing and inference (one warm-up first). */
    private fun endToEnd(c: HierAttnClassifier, photo: File, iterations: Int): Map<String, DoubleArray> {
        require(photo.isFile) { "photo ${photo.path} not found; adb push it first" }
        val uri = Uri.fromFile(photo)
        c.classify(ImageDecoding.decode(this, uri, c.metadata), 1)
        val results = List(iterations) { c.classify(ImageDecoding.decode(this, uri, c.metadata), 1) }
        return linkedMapOf(
            "decode" to DoubleArray(iterations) { results[it].decodeMs },
            "preprocess" to DoubleArray(iterations) { results[it].preprocessMs },
            "inference" to DoubleArray(iterations) { results[it].inferenceMs }
        )
    }

    /** A fixed pseudo-random image of the model's input size (so no crop and no resize cost). */
    private fun syntheticImage(width: Int, height: Int): RgbImage {
        val data = ByteArray(width * height * CHANNELS)
        Random(SEED).nextBytes(data)
        return RgbImage(width, height, data)
    }

    private fun deviceInfo(): Map<String, Any?> = linkedMapOf(
        "manufacturer" to Build.MANUFACTURER,
        "model" to Build.MODEL,
        "sdk_int" to Build.VERSION.SDK_INT,
        "abi" to Build.SUPPORTED_ABIS.firstOrNull()
    )

    companion object {
        const val EXTRA_MODEL = "model"
        const val EXTRA_THREADS = "threads"
        const val EXTRA_WARMUP = "warmup"
        const val EXTRA_ITERATIONS = "iterations"
        const val EXTRA_DELEGATE = "delegate"
        const val EXTRA_RUN_ID = "run_id"
        const val EXTRA_PHOTO = "photo"
        private const val DEFAULT_THREADS = 4
        private const val DEFAULT_WARMUP = 5
        private const val DEFAULT_ITERATIONS = 100
        private const val RESULT_DIR = "benchmark"
        private const val LATEST = "latest.json"
        private const val CHANNELS = 3
        private const val SEED = 0L
        private const val NANOS_PER_MS = 1_000_000.0
    }
}
