package org.hierattn.core

/** One class and its probability. */
data class ClassScore(val label: String, val probability: Double)

/**
 * Model output -> probabilities, top-k and the paper's referral rule.
 *
 * The referral is a separate, clearly labelled output: the paper's rule (any referral class above
 * the threshold), not clinical advice. Classes and threshold come from the metadata.
 */
class Classification(val probabilities: DoubleArray, private val metadata: ModelMetadata) {

    /** The [k] most probable classes, most probable first; ties keep output order. */
    fun top(k: Int): List<ClassScore> {
        val order = probabilities.indices.sortedWith(Comparator { a, b ->
            val c = probabilities[b].compareTo(probabilities[a])
            if (c != 0) c else a.compareTo(b)
        })
        return order.take(Math.min(k, order.size)).map { ClassScore(metadata.classNames[it], probabilities[it]) }
    }

    /** Referral classes whose probability is above the threshold (empty: no referral). */
    fun referralTriggers(): List<ClassScore> {
        val result = ArrayList<ClassScore>()
        for (i in probabilities.indices) {
            val label = metadata.classNames[i]
            if (label in metadata.referralClasses && probabilities[i] > metadata.referralThreshold) {
                result.add(ClassScore(label, probabilities[i]))
            }
        }
        return result
    }

    val referral: Boolean get() = referralTriggers().isNotEmpty()

    companion object {
        /** Softmax of [logits] in double precision (stable: max subtracted first). */
        fun softmax(logits: FloatArray): DoubleArray {
            var max = Double.NEGATIVE_INFINITY
            for (v in logits) if (v > max) max = v.toDouble()
            val exps = DoubleArray(logits.size) { Math.exp(logits[it] - max) }
            val total = exps.sum()
            return DoubleArray(exps.size) { exps[it] / total }
        }

        /** Build from the model's logits; checks the count against the metadata's class list. */
        fun fromLogits(logits: FloatArray, metadata: ModelMetadata): Classification {
            if (logits.size != metadata.numClasses) {
                throw MetadataException("model outputs ${logits.size} values but its metadata lists ${metadata.numClasses} classes; re-export the model")
            }
            return Classification(softmax(logits), metadata)
        }

        /** Dequantize an int8/uint8 output: (q - zeroPoint) * scale. */
        fun dequantize(raw: IntArray, scale: Float, zeroPoint: Int): FloatArray =
            FloatArray(raw.size) { (raw[it] - zeroPoint) * scale }
    }
}
