// Resized uint8 image -> model input values (docs/preprocessing.md, section 4):
// `float32(u8 * scale)`, laid out NCHW or NHWC as the spec says, channels R, G, B.

const CHANNELS = 3;

/** Shape of the input tensor for the spec's layout, batch 1. */
export function inputShape(spec) {
  return spec.layout === 'NCHW'
    ? [1, CHANNELS, spec.inputHeight, spec.inputWidth]
    : [1, spec.inputHeight, spec.inputWidth, CHANNELS];
}

/** Float32 input values in the spec's layout; `resized` must already have the input size. */
export function toTensor(resized, spec) {
  const { width: w, height: h, data } = resized;
  if (w !== spec.inputWidth || h !== spec.inputHeight) {
    throw new RangeError(`image is ${w} x ${h}, the model expects ${spec.inputWidth} x ${spec.inputHeight}`);
  }
  const table = new Float32Array(256); // float32(u8 * scale): the product in double, then rounded once
  for (let v = 0; v < 256; v++) table[v] = v * spec.scale;
  const out = new Float32Array(w * h * CHANNELS);
  if (spec.layout === 'NCHW') {
    const plane = w * h;
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      out[i] = table[data[p]];
      out[plane + i] = table[data[p + 1]];
      out[2 * plane + i] = table[data[p + 2]];
    }
  } else {
    for (let i = 0; i < out.length; i++) out[i] = table[data[i]];
  }
  return out;
}
