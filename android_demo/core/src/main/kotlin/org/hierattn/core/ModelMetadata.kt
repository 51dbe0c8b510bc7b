package org.hierattn.core

/** Circle-crop parameters, exactly the `crop` object of the exported metadata. */
data class CropParams(
    val enabled: Boolean,
    val threshold: Int,
    val closingKernel: Int,
    val closingIterations: Int,
    val minAreaFraction: Double,
    val maxAreaFraction: Double,
    val maxAspectRatio: Double
)

/** Memory layout of the model's input tensor. */
enum class Layout { NCHW, NHWC }

/**
 * What the exported model expects and produces, read from its sidecar `<model>.tflite.json`.
 *
 * This mirrors the Python `ModelSpec`; every size, label and threshold the app uses comes from
 * here, so a re-exported model with other classes or another input size needs no code change.
 */
data class ModelMetadata(
    val classNames: List<String>,
    val inputHeight: Int,
    val inputWidth: Int,
    val layout: Layout,
    val scale: Double,
    val crop: CropParams,
    val referralClasses: List<String>,
    val referralThreshold: Double,
    val arch: String,
    val precision: String,
    /** Which preprocessing the model was exported for (docs/preprocessing.md); files without the field mean 1. */
    val preprocessing: Int = 1
) {
    val numClasses: Int get() = classNames.size

    companion object {
        /** Newest metadata format this code understands. */
        const val FORMAT_VERSION = 1

        /** Preprocessing versions this code implements. */
        val PREPROCESSING_VERSIONS = listOf(1, 2)

        /** Parse the sidecar JSON text; throws [MetadataException] naming the bad field. */
        fun parse(text: String): ModelMetadata {
            val root = Json.parse(text) as? Map<*, *> ?: throw MetadataException("model metadata must be a JSON object; re-export the model")
            return fromMap(root)
        }

        /** Build from an already parsed JSON object (the golden vectors embed one under "spec"). */
        fun fromMap(root: Map<*, *>): ModelMetadata {
            val version = root["format_version"]?.let { number(root, "format_version").toInt() } ?: FORMAT_VERSION
            if (version > FORMAT_VERSION) {
                throw MetadataException("model metadata has format_version $version, newer than this app understands ($FORMAT_VERSION); update the app")
            }
            val size = list(root, "input_size")
            if (size.size != 2) throw MetadataException("model metadata input_size must be [height, width]")
            val height = toInt(size[0], "input_size")
            val width = toInt(size[1], "input_size")
            if (height < 1 || width < 1) throw MetadataException("model metadata input_size must be positive")
            val layoutName = string(root, "layout")
            val layout = Layout.values().firstOrNull { it.name == layoutName }
                ?: throw MetadataException("model metadata layout '$layoutName' is not NCHW or NHWC")
            val cropMap = root["crop"] as? Map<*, *> ?: throw MetadataException("model metadata has no 'crop' object")
            val crop = CropParams(
                enabled = bool(cropMap, "enabled"),
                threshold = number(cropMap, "threshold").toInt(),
                closingKernel = number(cropMap, "closing_kernel").toInt(),
                closingIterations = number(cropMap, "closing_iterations").toInt(),
                minAreaFraction = number(cropMap, "min_area_fraction"),
                maxAreaFraction = number(cropMap, "max_area_fraction"),
                maxAspectRatio = number(cropMap, "max_aspect_ratio")
            )
            if (crop.closingKernel < 1) throw MetadataException("model metadata crop.closing_kernel must be >= 1")
            val preprocessing = root["preprocessing"]?.let { toInt(it, "preprocessing") } ?: 1
            if (preprocessing !in PREPROCESSING_VERSIONS) {
                throw MetadataException("model metadata asks for preprocessing version $preprocessing; this app implements ${PREPROCESSING_VERSIONS.joinToString()}; update the app")
            }
            val classNames = list(root, "class_names").map { it as? String ?: throw MetadataException("model metadata class_names must be strings") }
            if (classNames.isEmpty()) throw MetadataException("model metadata lists no class names")
            return ModelMetadata(
                classNames = classNames,
                inputHeight = height,
                inputWidth = width,
                layout = layout,
                scale = number(root, "scale"),
                crop = crop,
                referralClasses = list(root, "referral_classes").map { it.toString() },
                referralThreshold = number(root, "referral_threshold"),
                arch = root["arch"] as? String ?: "",
                precision = root["precision"] as? String ?: "",
                preprocessing = preprocessing
            )
        }

        private fun missing(key: String): MetadataException =
            MetadataException("model metadata has no valid '$key'; re-export the model with hierattn")

        private fun number(map: Map<*, *>, key: String): Double = (map[key] as? Double) ?: throw missing(key)

        private fun bool(map: Map<*, *>, key: String): Boolean = (map[key] as? Boolean) ?: throw missing(key)

        private fun string(map: Map<*, *>, key: String): String = (map[key] as? String) ?: throw missing(key)

        private fun list(map: Map<*, *>, key: String): List<*> = (map[key] as? List<*>) ?: throw missing(key)

        private fun toInt(value: Any?, key: String): Int {
            val d = value as? Double ?: throw missing(key)
            if (d != Math.rint(d)) throw missing(key)
            return d.toInt()
        }
    }
}
