// Decoded RGB image -> circle crop -> Pillow bilinear resize -> input tensor.
// EXIF orientation is not handled here: the decoder applies it (the page with createImageBitmap's
// imageOrientation 'from-image'), so the core stays free of browser APIs and runs in Node.

import { circleCropBox } from './crop.js';
import { cropImage } from './image.js';
import { bilinearResize } from './resize.js';
import { toTensor } from './tensor.js';

/** Crop box (or null) and the resized uint8 image, as `crop_and_resize` in runtime/preprocess.py. */
export function cropAndResize(image, spec) {
  const box = circleCropBox(image, spec.crop);
  const cropped = box === null ? image : cropImage(image, box);
  return { cropBox: box, resized: bilinearResize(cropped, spec.inputWidth, spec.inputHeight) };
}

/** Everything the model needs for one image: crop box, resized image and the float32 tensor. */
export function preprocess(image, spec) {
  const { cropBox, resized } = cropAndResize(image, spec);
  return { cropBox, resized, tensor: toTensor(resized, spec) };
}
