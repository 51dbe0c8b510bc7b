package org.hierattn.cli

import org.hierattn.core.RgbImage
import java.awt.image.BufferedImage
import java.awt.image.IndexColorModel
import java.io.File
import javax.imageio.ImageIO

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
