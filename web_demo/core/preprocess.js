// Decoded RGB image -> (version 2: box pre-reduction) -> circle crop -> Pillow bilinear resize -> tensor.
// EXIF orientation is not handled here: the decoder applies it (the page with createImageBitmap's
// imageOrientation 'from-image'), so the core stays free of browser APIs and runs in Node.

import { circleCropBox } from './crop.js';
import { cropImage } from './image.js';
import { boxReduce, reductionFactor, scaleBox } from './reduce.js';
import { bilinearResize } from './resize.js';
import { toTensor } from './tensor.js';

/**
 * Crop box (or null) and the resized uint8 image, as `crop_and_resize` in the Python runtime.
 * The crop box is always in `image`'s coordinates; `reduction` is the factor version 2 applied.
 */
export function cropAndResize(image, spec) {
  const k = spec.preprocessing >= 2 ? reductionFactor(image.width, image.height, spec.inputWidth, spec.inputHeight) : 1;
  return cropAndResizeReduced(boxReduce(image, k), k, image.width, image.height, spec);
}

/**
 * The same for an image a decoder already reduced by `k` from `width x height` (a `BoxReducer`
 * fed strip by strip): crop and resize the reduced image, report the box in full-size coordinates.
 */
export function cropAndResizeReduced(reduced, k, width, height, spec) {
  const box = circleCropBox(reduced, spec.crop);
  const cropped = box === null ? reduced : cropImage(reduced, box);
  const resized = bilinearResize(cropped, spec.inputWidth, spec.inputHeight);
  return { cropBox: scaleBox(box, k, width, height), resized, reduction: k };
}

/** Everything the model needs for one image: crop box, resized image and the float32 tensor. */
export function preprocess(image, spec) {
  const out = cropAndResize(image, spec);
  return { ...out, tensor: toTensor(out.resized, spec) };
}
