// What the exported model expects, read from its sidecar `<model>.onnx.json` (ModelSpec.to_dict()).
// Mirrors runtime/spec.py and the Kotlin ModelMetadata: every size, label and threshold the page
// uses comes from here, so a re-exported model with other classes or input size needs no change.

/** Newest sidecar format this code understands. */
export const FORMAT_VERSION = 1;

/** Preprocessing versions this code implements (docs/preprocessing.md); a sidecar without one means 1. */
export const PREPROCESSING_VERSIONS = Object.freeze([1, 2]);

/** A sidecar that cannot be used; the message names the field and the fix. */
export class MetadataError extends Error {
  constructor(message) {
    super(message);
    this.name = 'MetadataError';
  }
}

function missing(key) {
  return new MetadataError(`model metadata has no valid '${key}'; re-export the model with hierattn`);
}

function number(map, key) {
  const v = map[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw missing(key);
  return v;
}

function integer(map, key) {
  const v = number(map, key);
  if (!Number.isInteger(v)) throw missing(key);
  return v;
}

function list(map, key) {
  const v = map[key];
  if (!Array.isArray(v)) throw missing(key);
  return v;
}

/**
 * Parse a sidecar object (already JSON-decoded) into a frozen spec.
 * @param {object} root
 * @returns {{classNames: string[], inputHeight: number, inputWidth: number, layout: 'NCHW'|'NHWC',
 *   scale: number, crop: object, preprocessing: number, referralClasses: string[], referralThreshold: number,
 *   arch: string, precision: string}}
 */
export function parseSpec(root) {
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new MetadataError('model metadata must be a JSON object; re-export the model');
  }
  const version = root.format_version === undefined ? FORMAT_VERSION : integer(root, 'format_version');
  if (version > FORMAT_VERSION) {
    throw new MetadataError(
      `model metadata has format_version ${version}, newer than this page understands (${FORMAT_VERSION}); update hierattn`);
  }
  const size = list(root, 'input_size');
  if (size.length !== 2 || !size.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new MetadataError('model metadata input_size must be [height, width], positive integers');
  }
  const layout = root.layout;
  if (layout !== 'NCHW' && layout !== 'NHWC') {
    throw new MetadataError(`model metadata layout '${layout}' is not NCHW or NHWC`);
  }
  const c = root.crop;
  if (c === null || typeof c !== 'object') throw new MetadataError("model metadata has no 'crop' object");
  if (typeof c.enabled !== 'boolean') throw missing('crop.enabled');
  const crop = Object.freeze({
    enabled: c.enabled,
    threshold: integer(c, 'threshold'),
    closingKernel: integer(c, 'closing_kernel'),
    closingIterations: integer(c, 'closing_iterations'),
    minAreaFraction: number(c, 'min_area_fraction'),
    maxAreaFraction: number(c, 'max_area_fraction'),
    maxAspectRatio: number(c, 'max_aspect_ratio'),
  });
  if (crop.closingKernel < 1 || crop.closingIterations < 0) {
    throw new MetadataError('model metadata crop needs closing_kernel >= 1 and closing_iterations >= 0');
  }
  const preprocessing = root.preprocessing === undefined ? 1 : integer(root, 'preprocessing');
  if (!PREPROCESSING_VERSIONS.includes(preprocessing)) {
    throw new MetadataError(
      `model metadata asks for preprocessing version ${preprocessing}; this page implements ${PREPROCESSING_VERSIONS.join(', ')}; update hierattn`);
  }
  const classNames = list(root, 'class_names');
  if (classNames.length === 0 || !classNames.every((n) => typeof n === 'string')) {
    throw new MetadataError('model metadata class_names must be a non-empty list of strings');
  }
  return Object.freeze({
    classNames: Object.freeze([...classNames]),
    inputHeight: size[0],
    inputWidth: size[1],
    layout,
    scale: number(root, 'scale'),
    crop,
    preprocessing,
    referralClasses: Object.freeze(list(root, 'referral_classes').map(String)),
    referralThreshold: number(root, 'referral_threshold'),
    arch: typeof root.arch === 'string' ? root.arch : '',
    precision: typeof root.precision === 'string' ? root.precision : '',
  });
}

/** Parse sidecar JSON text; a syntax error becomes a MetadataError. */
export function parseSpecJson(text) {
  let root;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new MetadataError(`model metadata is not valid JSON (${err.message}); re-export the model`);
  }
  return parseSpec(root);
}
