package org.hierattn.core

import java.nio.ByteBuffer

/** Element type of the model's input tensor, with its quantization where it has one. */
class InputType private constructor(val kind: Kind, val scale: Float, val zeroPoint: Int) {
    enum class Kind(val bytesPerValue: Int, val qmin: Int, val qmax: Int) {
        FLOAT32(4, 0, 0),
        INT8(1, Byte.MIN_VALUE.toInt(), Byte.MAX_VALUE.toInt()),
        UINT8(1, 0, 255)
    }

    companion object {
        val FLOAT32 = InputType(Kind.FLOAT32, 1f, 0)

        /** A quantized input; [scale] and [zeroPoint] come from the interpreter's input tensor. */
        fun quantized(kind: Kind, scale: Float, zeroPoint: Int): InputType {
            require(kind != Kind.FLOAT32) { "float32 input has no quantization" }
            require(scale > 0f) { "quantized input needs a positive scale, got $scale" }
            return InputType(kind, scale, zeroPoint)
        }
    }
}

/**
 * Turns the resized uint8 image into the model's input values (docs/preprocessing.md, section 4):
 * `float32(u8 * scale)`, laid out NCHW or NHWC as the metadata says, quantized if the input is.
 */
object InputTensor {

    /** Shape of the input for [metadata]'s layout, batch 1. */
    fun shape(metadata: ModelMetadata): IntArray = when (metadata.layout) {
        Layout.NCHW -> intArrayOf(1, CHANNELS, metadata.inputHeight, metadata.inputWidth)
        Layout.NHWC -> intArrayOf(1, metadata.inputHeight, metadata.inputWidth, CHANNELS)
    }

    /** Float values in the model's layout; [resized] must already have the input size. */
    fun floats(resized: RgbImage, metadata: ModelMetadata): FloatArray {
        checkSize(resized, metadata)
        val h = resized.height
        val w = resized.width
        val table = FloatArray(LEVELS) { (it * metadata.scale).toFloat() }
        val out = FloatArray(h * w * CHANNELS)
        for (y in 0 until h) {
            for (x in 0 until w) {
                for (c in 0 until CHANNELS) {
                    val v = table[resized.get(x, y, c)]
                    val index = when (metadata.layout) {
                        Layout.NCHW -> (c * h + y) * w + x
                        Layout.NHWC -> (y * w + x) * CHANNELS + c
                    }
                    out[index] = v
                }
            }
        }
        return out
    }

    /** Quantize one float with round-half-even, as the Python runtime does. */
    fun quantize(value: Float, type: InputType): Int {
        val q = Math.rint(value.toDouble() / type.scale.toDouble()).toInt() + type.zeroPoint
        return Math.min(Math.max(q, type.kind.qmin), type.kind.qmax)
    }

    /** Write the input into [buffer] (native order, positioned at 0 by the caller) for [type]. */
    fun write(resized: RgbImage, metadata: ModelMetadata, type: InputType, buffer: ByteBuffer) {
        val values = floats(resized, metadata)
        val needed = values.size * type.kind.bytesPerValue
        require(buffer.remaining() >= needed) { "input buffer has ${buffer.remaining()} bytes, needs $needed" }
        when (type.kind) {
            InputType.Kind.FLOAT32 -> for (v in values) buffer.putFloat(v)
            InputType.Kind.INT8, InputType.Kind.UINT8 -> for (v in values) buffer.put(quantize(v, type).toByte())
        }
    }

    /** Per-channel mean of the float values (R, G, B), a cheap fingerprint for parity checks. */
    fun channelMeans(resized: RgbImage, metadata: ModelMetadata): DoubleArray {
        val table = FloatArray(LEVELS) { (it * metadata.scale).toFloat() }
        val sums = DoubleArray(CHANNELS)
        for (y in 0 until resized.height) {
            for (x in 0 until resized.width) {
                for (c in 0 until CHANNELS) sums[c] += table[resized.get(x, y, c)].toDouble()
            }
        }
        val n = resized.width.toDouble() * resized.height
        return DoubleArray(CHANNELS) { sums[it] / n }
    }

    private fun checkSize(resized: RgbImage, metadata: ModelMetadata) {
        require(resized.width == metadata.inputWidth && resized.height == metadata.inputHeight) {
            "image is ${resized.width} x ${resized.height}, the model expects ${metadata.inputWidth} x ${metadata.inputHeight}"
        }
    }

    private const val CHANNELS = 3
    private const val LEVELS = 1 shl Byte.SIZE_BITS  // every uint8 value
}
