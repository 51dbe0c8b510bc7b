package org.hierattn.demo

import android.content.Context
import org.hierattn.core.ArtifactIntegrity
import org.hierattn.core.MetadataException
import org.hierattn.core.ModelMetadata
import org.tensorflow.lite.support.common.FileUtil
import java.io.FileNotFoundException
import java.nio.MappedByteBuffer

/**
 * The exported models shipped in `assets/` (copied there by the `copyModel` Gradle task), each a
 * `<name>.tflite` with its `<name>.tflite.json` metadata sidecar.
 */
object ModelAssets {
    private const val MODEL_SUFFIX = ".tflite"
    private const val SIDECAR_SUFFIX = ".json"

    /** File names of the models in assets, sorted. */
    fun list(context: Context): List<String> =
        context.assets.list("").orEmpty().filter { it.endsWith(MODEL_SUFFIX) }.sorted()

    /** The model to use when none is named: the first one in assets. */
    fun default(context: Context): String =
        list(context).firstOrNull() ?: throw MetadataException("no .tflite model in assets; run ./gradlew copyModel (see README)")

    /** The model file, checked against the sha256 its sidecar and embedded metadata record. */
    fun loadModel(context: Context, name: String): MappedByteBuffer {
        val buffer = try {
            FileUtil.loadMappedFile(context, name)
        } catch (e: FileNotFoundException) {
            throw MetadataException("model '$name' is not in assets; copy it with ./gradlew copyModel")
        }
        ArtifactIntegrity.verify(buffer, sidecarText(context, name))
        return buffer
    }

    fun loadMetadata(context: Context, name: String): ModelMetadata = ModelMetadata.parse(sidecarText(context, name))

    private fun sidecarText(context: Context, name: String): String {
        val sidecar = name + SIDECAR_SUFFIX
        return try {
            context.assets.open(sidecar).bufferedReader().use { it.readText() }
        } catch (e: FileNotFoundException) {
            throw MetadataException("metadata '$sidecar' is missing from assets; re-export the model with hierattn-export")
        }
    }
}
