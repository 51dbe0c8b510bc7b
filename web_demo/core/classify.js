// Model output -> probabilities, top-k and the paper's referral rule. The referral is a separate,
// clearly labelled output (any referral class above the threshold), not clinical advice.

import { MetadataError } from './spec.js';

/** The notice every result carries (same wording as the Python runtime's DISCLAIMER). */
export const DISCLAIMER = 'Research model, not a medical device: not a diagnosis.';

/** Softmax in double precision, stable (maximum subtracted first). */
export function softmax(logits) {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** The `k` most probable classes, most probable first; ties keep output order. */
export function topK(probabilities, classNames, k) {
  const order = probabilities.map((p, i) => i).sort((a, b) => probabilities[b] - probabilities[a] || a - b);
  return order.slice(0, Math.min(k, order.length)).map((i) => ({ label: classNames[i], index: i, probability: probabilities[i] }));
}

/** Format a number as Python's `{:g}` does for the thresholds used here (0.5 -> "0.5"). */
function g(v) {
  return String(Number(v.toPrecision(6)));
}

/** The referral decision and its message, worded as the Python runtime's Referral. */
export function referral(probabilities, spec) {
  const byName = new Map(spec.classNames.map((n, i) => [n, probabilities[i]]));
  const hits = spec.referralClasses.filter((c) => (byName.get(c) ?? 0) > spec.referralThreshold);
  if (hits.length > 0) {
    const detail = hits.map((c) => `${c} ${byName.get(c).toFixed(2)}`).join(', ');
    return { triggered: true, classes: hits, message: `see a clinician: ${detail} above ${g(spec.referralThreshold)}` };
  }
  return { triggered: false, classes: [], message: `no referral class above ${g(spec.referralThreshold)}` };
}

/** Logits -> the full result; the count must match the spec's class list. */
export function classify(logits, spec, k = 3) {
  if (logits.length !== spec.classNames.length) {
    throw new MetadataError(
      `model outputs ${logits.length} values but its metadata lists ${spec.classNames.length} classes; re-export the model`);
  }
  const probabilities = softmax(logits);
  const top = topK(probabilities, spec.classNames, k);
  return { label: top[0].label, index: top[0].index, probabilities, top, referral: referral(probabilities, spec), disclaimer: DISCLAIMER };
}
