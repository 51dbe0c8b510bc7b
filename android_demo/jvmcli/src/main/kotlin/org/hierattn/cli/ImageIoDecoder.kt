package org.hierattn.cli

import org.hierattn.core.BoxReducer
import org.hierattn.core.Preprocessor
import org.hierattn.core.RgbImage
import java.awt.image.BufferedImage
import java.awt.image.DataBufferByte
import java.awt.image.DataBufferInt
import java.awt.image.IndexColorModel
import java.io.File
import javax.imageio.ImageIO
import javax.imageio.ImageReader
import javax.imageio.stream.ImageInputStream

/**
 * An image decoded for preprocessing version 2: already [reduction]-reduced by the core from a
 * decode that javax made [decoderScale] times smaller; [width] x [height] is the file's own size.
 * [decodedBytes] is the size of the largest pixel buffer the decoder itself allocated.
 */
class DecodedImage(
    val reduced: RgbImage,
    val reduction: Int,
    val decoderScale: Int,
    val decodedWidth: Int,
    val decodedHeight: Int,
    val width: Int,
    val height: Int,
    val decodedBytes: Long
)

/**
 * Decodes image files to [RgbImage] with javax.imageio, following the runtime's mode rules.
 *
 * Samples are read from the raster rather than through `getRGB`, which would pass greyscale
 * through a colour-space conversion and change the values; alpha is dropped without compositing
 * and 16-bit samples keep their high byte, as in docs/preprocessing.md.
 */
object ImageIoDecoder {

    /** Decode [file]; throws IllegalArgumentException with a one-line reason when it cannot. */
    fun decode(file: File): RgbImage {
        val image = try {
            ImageIO.read(file)
        } catch (e: Exception) {
            throw IllegalArgumentException("cannot decode ${file.path}: ${e.message}")
        } ?: throw IllegalArgumentException("no javax.imageio decoder for ${file.path}")
        return fromBufferedImage(image)
    }

    /**
     * Decode [file] the version 2 way (docs/preprocessing.md): a JPEG is read with javax's source
     * subsampling at the decoder scale `min(k, 8)`, so no full-size raster exists; then the core's
     * own rule reduces what was decoded, reading it in strips.
     */
    fun decodeReduced(file: File, preprocessor: Preprocessor): DecodedImage {
        val stream = ImageIO.createImageInputStream(file) ?: throw IllegalArgumentException("cannot open ${file.path}")
        stream.use { input ->
            val reader = ImageIO.getImageReaders(input).asSequence().firstOrNull()
                ?: throw IllegalArgumentException("no javax.imageio decoder for ${file.path}")
            try {
                return readReduced(reader, input, file, preprocessor)
            } catch (e: IllegalArgumentException) {
                throw e
            } catch (e: Exception) {
                throw IllegalArgumentException("cannot decode ${file.path}: ${e.message}")
            } finally {
                reader.dispose()
            }
        }
    }

    private fun readReduced(reader: ImageReader, input: ImageInputStream, file: File, preprocessor: Preprocessor): DecodedImage {
        reader.setInput(input, true, true)
        val width = reader.getWidth(0)
        val height = reader.getHeight(0)
        val metadata = preprocessor.metadata
        val jpeg = reader.formatName.toLowerCase() in JPEG_NAMES
        val scale = if (jpeg && metadata.preprocessing >= 2) {
            BoxReducer.decoderScale(width, height, metadata.inputWidth, metadata.inputHeight)
        } else {
            1
        }
        val param = reader.defaultReadParam
        if (scale > 1) param.setSourceSubsampling(scale, scale, 0, 0)
        val image = reader.read(0, param)
        val k = preprocessor.reductionFactor(image.width, image.height)
        val reduced = if (k == 1) fromBufferedImage(image) else reduceRows(image, k)
        return DecodedImage(reduced, k, scale, image.width, image.height, width, height, rasterBytes(image))
    }

    /** Reduce [image] by [k] from strips of rows, with the same sample rules as [fromBufferedImage]. */
    private fun reduceRows(image: BufferedImage, k: Int): RgbImage = BoxReducer.fromArgbRows(image.width, image.height, k) { y, rows, into ->
        val strip = fromBufferedImage(image.getSubimage(0, y, image.width, rows))
        val d = strip.data
        for (i in 0 until image.width * rows) {
            into[i] = ((d[i * 3].toInt() and 0xFF) shl 16) or ((d[i * 3 + 1].toInt() and 0xFF) shl 8) or (d[i * 3 + 2].toInt() and 0xFF)
        }
    }

    private fun rasterBytes(image: BufferedImage): Long = when (val buffer = image.raster.dataBuffer) {
        is DataBufferByte -> buffer.size.toLong()
        is DataBufferInt -> buffer.size.toLong() * 4
        else -> buffer.size.toLong() * 2
    }

    private val JPEG_NAMES = setOf("jpeg", "jpg")

    fun fromBufferedImage(image: BufferedImage): RgbImage {
        val w = image.width
        val h = image.height
        val raster = image.raster
        val bands = raster.numBands
        val bits = raster.sampleModel.getSampleSize(0)
        val shift = if (bits > 8) bits - 8 else 0
        if (image.colorModel is IndexColorModel || bits < 8 || bands == 2 && bits != 8 && bits != 16) {
            return RgbImage.fromArgb(w, h, image.getRGB(0, 0, w, h, null, 0, w))
        }
        val out = ByteArray(w * h * 3)
        val row = IntArray(w)
        for (y in 0 until h) {
            for (c in 0 until 3) {
                val band = if (bands < 3) 0 else c
                raster.getSamples(0, y, w, 1, band, row)
                for (x in 0 until w) out[(y * w + x) * 3 + c] = (row[x] shr shift).toByte()
            }
        }
        return RgbImage(w, h, out)
    }

    /** Write [image] as an 8-bit RGB PNG. */
    fun writePng(image: RgbImage, file: File) {
        val buffered = BufferedImage(image.width, image.height, BufferedImage.TYPE_3BYTE_BGR)
        val raster = buffered.raster
        val row = IntArray(image.width * 3)
        for (y in 0 until image.height) {
            for (x in 0 until image.width) {
                for (c in 0 until 3) row[x * 3 + c] = image.get(x, y, c)
            }
            raster.setPixels(0, y, image.width, 1, row)
        }
        if (!ImageIO.write(buffered, "png", file)) throw IllegalStateException("no PNG writer available")
    }
}
