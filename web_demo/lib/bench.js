// Benchmark mode: the same protocol as `hierattn-bench` (warm-up runs, then timed runs of one
// random input, batch 1), latencies in ms; summaries use the same statistics (nearest-rank p90).

/** Deterministic pseudo-random input in [0, 1): the timing does not depend on the values. */
function randomInput(n, seed = 0) {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 4294967296;
  }
  return out;
}

/** Median, nearest-rank p90, mean, min, max and population std of `samples` (ms). */
export function latencyStats(samples) {
  const data = [...samples].sort((a, b) => a - b);
  const n = data.length;
  const median = n % 2 ? data[(n - 1) / 2] : (data[n / 2 - 1] + data[n / 2]) / 2;
  const mean = data.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(data.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { count: n, median_ms: median, p90_ms: data[Math.max(Math.ceil(0.9 * n) - 1, 0)], mean_ms: mean, min_ms: data[0], max_ms: data[n - 1], std_ms: std };
}

/**
 * Run `warmup` untimed and `iters` timed inferences of `input` (default: a fixed pseudo-random one);
 * returns the raw samples, their stats, the first run's time and logits, and the thread facts.
 */
export async function benchmark(model, { warmup = 10, iters = 50, input = null, onProgress = () => {} } = {}) {
  const { inputHeight: h, inputWidth: w } = model.spec;
  const x = input ?? randomInput(3 * h * w);
  const first = await model.run(x);
  for (let i = 1; i < warmup; i++) await model.run(x);
  const samples = [];
  for (let i = 0; i < iters; i++) {
    samples.push((await model.run(x)).ms);
    onProgress(i + 1, iters);
  }
  return {
    samples_ms: samples, stats: latencyStats(samples), warmup, iters, load_ms: model.loadMs, first_ms: first.ms,
    logits: Array.from(first.logits), threads: model.threads(), runtime: model.runtime, userAgent: navigator.userAgent,
  };
}
