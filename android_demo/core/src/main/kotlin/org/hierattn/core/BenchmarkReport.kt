package org.hierattn.core

import java.util.Locale

/** What a benchmark run was asked to do (the adb intent extras, see docs/android.md). */
data class BenchmarkRequest(
    val runId: String,
    val model: String,
    val delegate: String,
    val threads: Int,
    val warmup: Int,
    val iterations: Int
)

/**
 * Timing summary of a benchmark run and its two serialisations: logcat `key=value` lines and a
 * JSON document. The format is a contract with the bench harness's parser (docs/android.md), so
 * it lives here, in plain Kotlin, where the JVM tests check it.
 */
class BenchmarkReport(
    val request: BenchmarkRequest,
    val initMs: Double,
    val firstMs: Double,
    val latenciesMs: DoubleArray,
    val device: Map<String, Any?>,
    val inputShape: List<Int>,
    val inputDtype: String,
    /** End-to-end runs on a photo, milliseconds per stage (decode, preprocess, inference); empty when none ran. */
    val stagesMs: Map<String, DoubleArray> = emptyMap()
) {
    val meanMs: Double = latenciesMs.average()
    // Explicit reductions: min()/max() changed nullability between Kotlin 1.3 and 1.7.
    val minMs: Double = if (latenciesMs.isEmpty()) Double.NaN else latenciesMs.reduce { a, b -> Math.min(a, b) }
    val maxMs: Double = if (latenciesMs.isEmpty()) Double.NaN else latenciesMs.reduce { a, b -> Math.max(a, b) }
    val medianMs: Double = median(latenciesMs)
    val p90Ms: Double = nearestRank(latenciesMs, P90)
    val stdMs: Double = Math.sqrt(latenciesMs.map { (it - meanMs) * (it - meanMs) }.average())

    /** The `result` logcat line (without the tag). */
    fun resultLine(file: String): String = line(
        "result", requestFields() + listOf(
            "init_ms" to ms(initMs), "first_ms" to ms(firstMs), "mean_ms" to ms(meanMs),
            "median_ms" to ms(medianMs), "p90_ms" to ms(p90Ms), "min_ms" to ms(minMs),
            "max_ms" to ms(maxMs), "std_ms" to ms(stdMs), "file" to file
        )
    )

    fun toJson(): String {
        val doc = LinkedHashMap<String, Any?>()
        doc["format_version"] = FORMAT_VERSION
        doc["run_id"] = request.runId
        doc["status"] = "ok"
        doc["model"] = request.model
        doc["delegate"] = request.delegate
        doc["threads"] = request.threads
        doc["warmup"] = request.warmup
        doc["iterations"] = request.iterations
        doc["init_ms"] = initMs
        doc["first_ms"] = firstMs
        doc["mean_ms"] = meanMs
        doc["median_ms"] = medianMs
        doc["p90_ms"] = p90Ms
        doc["min_ms"] = minMs
        doc["max_ms"] = maxMs
        doc["std_ms"] = stdMs
        doc["latencies_ms"] = latenciesMs.toList()
        doc["device"] = device
        doc["input"] = mapOf("shape" to inputShape, "dtype" to inputDtype)
        if (stagesMs.isNotEmpty()) {
            doc["stages"] = stagesMs.mapValues { (_, samples) ->
                mapOf("median_ms" to median(samples), "samples_ms" to samples.toList())
            }
        }
        return Json.write(doc)
    }

    private fun requestFields(): List<Pair<String, String>> = requestFields(request)

    companion object {
        const val TAG = "HierAttnBench"
        const val FORMAT_VERSION = 1
        private const val P90 = 90

        /** The `start` logcat line. */
        fun startLine(request: BenchmarkRequest): String = line("start", requestFields(request))

        /** The final `done` line: `status=ok`, or `status=error message=...` (message runs to the end). */
        fun doneLine(runId: String, error: String?): String {
            val fields = listOf("format_version" to FORMAT_VERSION.toString(), "run_id" to runId)
            return if (error == null) {
                line("done", fields + listOf("status" to "ok"))
            } else {
                line("done", fields + listOf("status" to "error")) + " message=" + error.replace('\n', ' ')
            }
        }

        /** The JSON document written when a run fails. */
        fun errorJson(request: BenchmarkRequest, error: String): String = Json.write(
            linkedMapOf<String, Any?>(
                "format_version" to FORMAT_VERSION, "run_id" to request.runId, "status" to "error",
                "model" to request.model, "delegate" to request.delegate, "threads" to request.threads,
                "warmup" to request.warmup, "iterations" to request.iterations, "message" to error
            )
        )

        private fun requestFields(r: BenchmarkRequest): List<Pair<String, String>> = listOf(
            "format_version" to FORMAT_VERSION.toString(), "run_id" to r.runId, "model" to r.model,
            "delegate" to r.delegate, "threads" to r.threads.toString(), "warmup" to r.warmup.toString(),
            "iterations" to r.iterations.toString()
        )

        private fun line(event: String, fields: List<Pair<String, String>>): String =
            event + fields.joinToString("") { " " + it.first + "=" + it.second.replace(' ', '_') }

        private fun ms(value: Double): String = String.format(Locale.ROOT, "%.3f", value)

        /** Median; the mean of the two middle values for an even count. */
        fun median(values: DoubleArray): Double {
            if (values.isEmpty()) return Double.NaN
            val sorted = values.sortedArray()
            val mid = sorted.size / 2
            return if (sorted.size % 2 == 1) sorted[mid] else (sorted[mid - 1] + sorted[mid]) / 2
        }

        /** Nearest-rank percentile: the smallest value with at least [percent]% of values at or below it. */
        fun nearestRank(values: DoubleArray, percent: Int): Double {
            if (values.isEmpty()) return Double.NaN
            val sorted = values.sortedArray()
            val rank = Math.ceil(percent / 100.0 * sorted.size).toInt()
            return sorted[Math.max(rank, 1) - 1]
        }
    }
}
