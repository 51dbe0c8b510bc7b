package org.hierattn.demo

import android.content.Context
import android.graphics.Bitmap
import android.os.SystemClock
import org.hierattn.core.BoxReducer
import org.hierattn.core.ClassScore
import org.hierattn.core.Classification
import org.hierattn.core.CropBox
import org.hierattn.core.InputTensor
import org.hierattn.core.InputType
import org.hierattn.core.MetadataException
import org.hierattn.core.ModelMetadata
import org.hierattn.core.Preprocessor
import org.hierattn.core.RgbImage
import org.tensorflow.lite.DataType
import org.tensorflow.lite.Interpreter
import org.tensorflow.lite.gpu.CompatibilityList
import org.tensorflow.lite.gpu.GpuDelegate
import java.io.Closeable
import java.nio.ByteBuffer
import java.nio.ByteOrder

/** Where inference runs. */
enum class Delegate(val label: String) { CPU("cpu"), GPU("gpu") }

/** Everything the screen shows about one classified image. */
class InferenceResult(
    val sourceWidth: Int,
    val sourceHeight: Int,
    val cropBox: CropBox?,
    val modelInput: Bitmap,
    val top: List<ClassScore>,
    val referralTriggers: List<ClassScore>,
    val referralThreshold: Double,
    val inferenceMs: Double,
    val decodeMs: Double,
    val preprocessMs: Double,
    val delegate: Delegate
)

/**
 * Owns the LiteRT interpreter: load, preprocess (with the plain-Kotlin core), run, postprocess.
 *
 * CPU inference uses XNNPACK with the chosen thread count; the GPU delegate is used when asked for
 * and the device supports it, otherwise creation fails with a clear message.
 */
class HierAttnClassifier private constructor(
    val modelName: String,
    val metadata: ModelMetadata,
    private val interpreter: Interpreter,
    private val gpu: GpuDelegate?,
    val delegate: Delegate
) : Closeable {
    private val preprocessor = Preprocessor(metadata)
    private val inputType: InputType
    private val inputBuffer: ByteBuffer
    private val outputBuffer: ByteBuffer
    private val outputType: DataType
    private val outputScale: Float
    private val outputZeroPoint: Int

    init {
        val input = interpreter.getInputTensor(0)
        val expected = InputTensor.shape(metadata).toList()
        if (input.shape().toList() != expected) {
            throw MetadataException("model input shape ${input.shape().toList()} does not match its metadata $expected; re-export the model")
        }
        val q = input.quantizationParams()
        inputType = when (input.dataType()) {
            DataType.FLOAT32 -> InputType.FLOAT32
            DataType.INT8 -> InputType.quantized(InputType.Kind.INT8, q.scale, q.zeroPoint)
            DataType.UINT8 -> InputType.quantized(InputType.Kind.UINT8, q.scale, q.zeroPoint)
            else -> throw MetadataException("unsupported model input type ${input.dataType()}")
        }
        inputBuffer = ByteBuffer.allocateDirect(input.numBytes()).order(ByteOrder.nativeOrder())
        val output = interpreter.getOutputTensor(0)
        outputType = output.dataType()
        outputScale = output.quantizationParams().scale
        outputZeroPoint = output.quantizationParams().zeroPoint
        outputBuffer = ByteBuffer.allocateDirect(output.numBytes()).order(ByteOrder.nativeOrder())
        if (output.numElements() != metadata.numClasses) {
            throw MetadataException("model has ${output.numElements()} outputs but its metadata lists ${metadata.numClasses} classes")
        }
    }

    val inputDescription: String get() = inputType.kind.name.lowercase()

    /** Crop, resize and scale [image] into the interpreter's input buffer; returns what was fed. */
    fun prepare(image: RgbImage): Pair<CropBox?, RgbImage> {
        val prepared = preprocessor.run(image)
        inputBuffer.rewind()
        InputTensor.write(prepared.resized, metadata, inputType, inputBuffer)
        return Pair(prepared.cropBox, prepared.resized)
    }

    /** One `Interpreter.run` on the prepared input; returns its wall time in milliseconds. */
    fun runOnce(): Double {
        inputBuffer.rewind()
        outputBuffer.rewind()
        val start = SystemClock.elapsedRealtimeNanos()
        interpreter.run(inputBuffer, outputBuffer)
        return (SystemClock.elapsedRealtimeNanos() - start) / NANOS_PER_MS
    }

    /**
     * Preprocess a decoded photo (reduced while read from its bitmap in strips), run the model and
     * classify; the crop box is reported in the photo file's coordinates.
     */
    fun classify(photo: DecodedPhoto, topK: Int): InferenceResult {
        val start = SystemClock.elapsedRealtimeNanos()
        val bitmap = photo.bitmap
        val k = preprocessor.reductionFactor(bitmap.width, bitmap.height)
        val prepared = preprocessor.runReduced(ImageDecoding.toRgb(bitmap, k), k, bitmap.width, bitmap.height)
        inputBuffer.rewind()
        InputTensor.write(prepared.resized, metadata, inputType, inputBuffer)
        val preprocessMs = (SystemClock.elapsedRealtimeNanos() - start) / NANOS_PER_MS
        val ms = runOnce()
        val classification = Classification.fromLogits(readOutput(), metadata)
        val box = prepared.cropBox?.let { BoxReducer.scaleBox(it, photo.scale, photo.width, photo.height) }
        return InferenceResult(
            photo.width, photo.height, box, ImageDecoding.toBitmap(prepared.resized), classification.top(topK),
            classification.referralTriggers(), metadata.referralThreshold, ms, photo.decodeMs, preprocessMs, delegate
        )
    }

    private fun readOutput(): FloatArray {
        outputBuffer.rewind()
        val n = metadata.numClasses
        return when (outputType) {
            DataType.FLOAT32 -> FloatArray(n) { outputBuffer.float }
            DataType.INT8 -> Classification.dequantize(IntArray(n) { outputBuffer.get().toInt() }, outputScale, outputZeroPoint)
            DataType.UINT8 -> Classification.dequantize(IntArray(n) { outputBuffer.get().toInt() and 0xFF }, outputScale, outputZeroPoint)
            else -> throw MetadataException("unsupported model output type $outputType")
        }
    }

    override fun close() {
        interpreter.close()
        gpu?.close()
    }

    companion object {
        private const val NANOS_PER_MS = 1_000_000.0

        fun gpuSupported(): Boolean = CompatibilityList().isDelegateSupportedOnThisDevice

        /** Load [modelName] and its metadata from assets and build the interpreter. */
        fun create(context: Context, modelName: String, threads: Int, delegate: Delegate): HierAttnClassifier {
            val metadata = ModelAssets.loadMetadata(context, modelName)
            val options = Interpreter.Options().setNumThreads(threads).setUseXNNPACK(true)
            val gpu = if (delegate == Delegate.GPU) gpuDelegate() else null
            if (gpu != null) options.addDelegate(gpu)
            val interpreter = try {
                Interpreter(ModelAssets.loadModel(context, modelName), options)
            } catch (e: Exception) {
                gpu?.close()
                throw e
            }
            try {
                return HierAttnClassifier(modelName, metadata, interpreter, gpu, delegate)
            } catch (e: Exception) {
                interpreter.close()
                gpu?.close()
                throw e
            }
        }

        private fun gpuDelegate(): GpuDelegate {
            val compatibility = CompatibilityList()
            if (!compatibility.isDelegateSupportedOnThisDevice) {
                throw MetadataException("the GPU delegate is not supported on this device; use delegate=cpu")
            }
            return GpuDelegate(compatibility.bestOptionsForThisDevice)
        }
    }
}
