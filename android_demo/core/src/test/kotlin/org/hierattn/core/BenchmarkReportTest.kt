package org.hierattn.core

import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/** The benchmark output format is a contract with the bench harness (docs/android.md). */
class BenchmarkReportTest {
    private val request = BenchmarkRequest("42", "m.tflite", "cpu", 4, 2, 5)
    private val report = BenchmarkReport(
        request, 80.0, 30.0, doubleArrayOf(12.0, 10.0, 11.0, 14.0, 13.0),
        mapOf("model" to "Pixel 7", "sdk_int" to 34), listOf(1, 3, 8, 8), "float32"
    )

    private fun fields(line: String): Map<String, String> =
        line.split(" ").drop(1).map { it.substringBefore("=") to it.substringAfter("=") }.toMap()

    @Test
    fun statisticsUseNearestRankAndPopulationStd() {
        assertEquals(12.0, report.meanMs, 1e-12)
        assertEquals(12.0, report.medianMs, 1e-12)
        assertEquals(14.0, report.p90Ms, 1e-12)
        assertEquals(Math.sqrt(2.0), report.stdMs, 1e-12)
        assertEquals(11.5, BenchmarkReport.median(doubleArrayOf(13.0, 10.0, 11.0, 12.0)), 1e-12)
    }

    @Test
    fun logLinesAreEventThenKeyValuePairs() {
        val start = BenchmarkReport.startLine(request)
        assertTrue(start.startsWith("start "))
        assertEquals("m.tflite", fields(start)["model"])
        val result = report.resultLine("/data/x.json")
        assertTrue(result.startsWith("result "))
        val f = fields(result)
        assertEquals("12.000", f["mean_ms"])
        assertEquals("14.000", f["p90_ms"])
        assertEquals("/data/x.json", f["file"])
        assertEquals("done format_version=1 run_id=42 status=ok", BenchmarkReport.doneLine("42", null))
        val error = BenchmarkReport.doneLine("42", "no such model x.tflite")
        assertTrue(error.endsWith(" status=error message=no such model x.tflite"))
    }

    @Test
    fun jsonDocumentParsesBack() {
        val doc = Json.parse(report.toJson()) as Map<*, *>
        assertEquals("ok", doc["status"])
        assertEquals(5, (doc["latencies_ms"] as List<*>).size)
        assertEquals(14.0, doc["max_ms"])
        val error = Json.parse(BenchmarkReport.errorJson(request, "boom")) as Map<*, *>
        assertEquals("error", error["status"])
        assertEquals("boom", error["message"])
    }

    @Test
    fun stagesAreWrittenOnlyWhenAnEndToEndRunHappened() {
        assertEquals(null, (Json.parse(report.toJson()) as Map<*, *>)["stages"])
        val stages = linkedMapOf("decode" to doubleArrayOf(30.0, 20.0, 40.0), "preprocess" to doubleArrayOf(5.0, 7.0, 6.0))
        val withStages = BenchmarkReport(request, 80.0, 30.0, doubleArrayOf(12.0), emptyMap(), listOf(1, 3, 8, 8), "float32", stages)
        val doc = (Json.parse(withStages.toJson()) as Map<*, *>)["stages"] as Map<*, *>
        assertEquals(listOf("decode", "preprocess"), doc.keys.toList())
        assertEquals(30.0, (doc["decode"] as Map<*, *>)["median_ms"])
        assertEquals(3, ((doc["preprocess"] as Map<*, *>)["samples_ms"] as List<*>).size)
    }
}
