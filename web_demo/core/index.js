// The browser-independent preprocessing core (docs/preprocessing.md), tested in Node against
// tests/golden and run unchanged by the page.
export { parseSpec, parseSpecJson, MetadataError, FORMAT_VERSION, PREPROCESSING_VERSIONS } from './spec.js';
export { rgbImage, fromRgba, cropImage } from './image.js';
export { grey, closedMask, largestRegion, circleCropBox } from './crop.js';
export { bilinearResize, coefficients } from './resize.js';
export { BoxReducer, boxReduce, reductionFactor, scaleBox, REDUCTION_MARGIN } from './reduce.js';
export { inputShape, toTensor } from './tensor.js';
export { softmax, topK, referral, classify, DISCLAIMER } from './classify.js';
export { cropAndResize, cropAndResizeReduced, preprocess } from './preprocess.js';
