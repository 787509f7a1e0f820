// Small shared helpers for benchmarks: timing and medians. Benchmarks print figures; they
// never assert, so a slow machine cannot turn a benchmark into a flaky test.
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function timeMs(fn) {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export const fmt = (ms) => `${ms.toFixed(1)} ms`;
