package org.hierattn.core

/** The result of preprocessing one image: the crop that was applied and the resized uint8 image. */
class Preprocessed(val cropBox: CropBox?, val resized: RgbImage)

/**
 * Decoded RGB image -> circle crop -> Pillow bilinear resize to the model's input size.
 *
 * EXIF orientation is not handled here: the caller applies it while decoding (the app with
 * ExifInterface), so this stays free of platform image APIs.
 */
class Preprocessor(val metadata: ModelMetadata) {
    private val circleCrop = CircleCrop(metadata.crop)

    fun run(image: RgbImage): Preprocessed {
        val box = circleCrop.box(image)
        val cropped = if (box == null) image else image.crop(box)
        val resized = PillowResize.resize(cropped, metadata.inputWidth, metadata.inputHeight)
        return Preprocessed(box, resized)
    }
}
