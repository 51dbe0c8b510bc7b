package org.hierattn.core

/**
 * The result of preprocessing one image: the crop that was applied (in the coordinates of the
 * image given to [Preprocessor.run]), the resized uint8 image, and the box pre-reduction factor.
 */
class Preprocessed(val cropBox: CropBox?, val resized: RgbImage, val reduction: Int = 1)

/**
 * Decoded RGB image -> (version 2: box pre-reduction) -> circle crop -> Pillow bilinear resize.
 *
 * EXIF orientation is not handled here: the caller applies it while decoding (the app with
 * ExifInterface), so this stays free of platform image APIs.
 */
class Preprocessor(val metadata: ModelMetadata) {
    private val circleCrop = CircleCrop(metadata.crop)

    /** The pre-reduction factor for a [width] x [height] image: 1 for preprocessing version 1. */
    fun reductionFactor(width: Int, height: Int): Int =
        if (metadata.preprocessing >= 2) BoxReducer.factor(width, height, metadata.inputWidth, metadata.inputHeight) else 1

    fun run(image: RgbImage): Preprocessed {
        val k = reductionFactor(image.width, image.height)
        return runReduced(BoxReducer.reduce(image, k), k, image.width, image.height)
    }

    /**
     * Crop and resize an image already reduced by [k] from [width] x [height] (a [BoxReducer] fed
     * strip by strip); the crop box is reported in the full-size coordinates.
     */
    fun runReduced(reduced: RgbImage, k: Int, width: Int, height: Int): Preprocessed {
        val box = circleCrop.box(reduced)
        val cropped = if (box == null) reduced else reduced.crop(box)
        val resized = PillowResize.resize(cropped, metadata.inputWidth, metadata.inputHeight)
        return Preprocessed(box?.let { BoxReducer.scaleBox(it, k, width, height) }, resized, k)
    }
}
