package org.hierattn.demo

import android.content.Context
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Matrix
import android.net.Uri
import android.os.SystemClock
import androidx.exifinterface.media.ExifInterface
import org.hierattn.core.BoxReducer
import org.hierattn.core.ModelMetadata
import org.hierattn.core.RgbImage
import java.io.IOException

/**
 * A photo decoded for the model: [bitmap] is [scale] times smaller than the file's [width] x [height]
 * (after EXIF orientation), as docs/preprocessing.md's "decode small" rule asks.
 */
class DecodedPhoto(val bitmap: Bitmap, val scale: Int, val width: Int, val height: Int, val decodeMs: Double)

/**
 * Platform image handling the plain-Kotlin core leaves to the app: decoding, EXIF orientation
 * (applied here, as the Python runtime does with `ImageOps.exif_transpose`) and Bitmap <-> RgbImage.
 */
object ImageDecoding {

    /**
     * Decode [uri] to an ARGB_8888 bitmap, rotated/flipped as its EXIF orientation says. For
     * preprocessing version 2 the decoder is asked for `inSampleSize = min(k, 8)` (JPEG: DCT
     * scaling), so a 12 MP photo never exists as a full-size bitmap.
     */
    fun decode(context: Context, uri: Uri, metadata: ModelMetadata): DecodedPhoto {
        val start = SystemClock.elapsedRealtimeNanos()
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        context.contentResolver.openInputStream(uri)?.use { BitmapFactory.decodeStream(it, null, bounds) }
        if (bounds.outWidth <= 0 || bounds.outHeight <= 0) throw IOException("cannot decode $uri as an image")
        val orientation = context.contentResolver.openInputStream(uri)?.use {
            ExifInterface(it).getAttributeInt(ExifInterface.TAG_ORIENTATION, ExifInterface.ORIENTATION_NORMAL)
        } ?: ExifInterface.ORIENTATION_NORMAL
        val swapped = orientation in SWAPPING_ORIENTATIONS
        val width = if (swapped) bounds.outHeight else bounds.outWidth
        val height = if (swapped) bounds.outWidth else bounds.outHeight
        val scale = if (metadata.preprocessing >= 2) BoxReducer.decoderScale(width, height, metadata.inputWidth, metadata.inputHeight) else 1
        val options = BitmapFactory.Options().apply {
            inPreferredConfig = Bitmap.Config.ARGB_8888
            inSampleSize = scale
        }
        val bitmap = context.contentResolver.openInputStream(uri)?.use { BitmapFactory.decodeStream(it, null, options) }
            ?: throw IOException("cannot decode $uri as an image")
        val oriented = applyOrientation(bitmap, orientation)
        // inSampleSize is a request: read back the scale the decoder delivered
        val delivered = Math.max(1, Math.round(width.toFloat() / oriented.width))
        return DecodedPhoto(oriented, delivered, width, height, (SystemClock.elapsedRealtimeNanos() - start) / NANOS_PER_MS)
    }

    private val SWAPPING_ORIENTATIONS = setOf(
        ExifInterface.ORIENTATION_TRANSPOSE, ExifInterface.ORIENTATION_ROTATE_90,
        ExifInterface.ORIENTATION_TRANSVERSE, ExifInterface.ORIENTATION_ROTATE_270
    )
    private const val NANOS_PER_MS = 1_000_000.0

    private fun applyOrientation(bitmap: Bitmap, orientation: Int): Bitmap {
        val m = Matrix()
        when (orientation) {
            ExifInterface.ORIENTATION_FLIP_HORIZONTAL -> m.setScale(-1f, 1f)
            ExifInterface.ORIENTATION_ROTATE_180 -> m.setRotate(180f)
            ExifInterface.ORIENTATION_FLIP_VERTICAL -> m.setScale(1f, -1f)
            ExifInterface.ORIENTATION_TRANSPOSE -> { m.setRotate(90f); m.postScale(-1f, 1f) }
            ExifInterface.ORIENTATION_ROTATE_90 -> m.setRotate(90f)
            ExifInterface.ORIENTATION_TRANSVERSE -> { m.setRotate(-90f); m.postScale(-1f, 1f) }
            ExifInterface.ORIENTATION_ROTATE_270 -> m.setRotate(-90f)
            else -> return bitmap
        }
        return Bitmap.createBitmap(bitmap, 0, 0, bitmap.width, bitmap.height, m, true)
    }

    /**
     * The bitmap's pixels as the core's RGB image, reduced by [k] (alpha dropped, as in
     * docs/preprocessing.md), read a strip of rows at a time: no full-size IntArray copy.
     */
    fun toRgb(bitmap: Bitmap, k: Int = 1): RgbImage =
        BoxReducer.fromArgbRows(bitmap.width, bitmap.height, k) { y, rows, into ->
            bitmap.getPixels(into, 0, bitmap.width, 0, y, bitmap.width, rows)
        }

    /** An opaque bitmap of [image], to show the model's actual input. */
    fun toBitmap(image: RgbImage): Bitmap {
        val argb = IntArray(image.width * image.height) { i ->
            val x = i % image.width
            val y = i / image.width
            (0xFF shl 24) or (image.get(x, y, 0) shl 16) or (image.get(x, y, 1) shl 8) or image.get(x, y, 2)
        }
        return Bitmap.createBitmap(argb, image.width, image.height, Bitmap.Config.ARGB_8888)
    }
}
