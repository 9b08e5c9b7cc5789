// Measuring helpers shared by the bench/*.bench.mjs files.
//
// A bench file default-exports `async function ({ quick }) => rows`, each row
// `{ key, value, unit, label, note? }`; `key` becomes a key of bench/results.json (numbers only)
// and the row a line of the printed table. bench/run.mjs runs every bench file in a process of
// its own, one after the other, so adding a figure is adding one file.

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Runs `fn` in batches for about `ms` milliseconds; answers (a promise of) calls per second. An
 * `fn` that answers a promise is awaited call by call, one at a time, as a page awaits each
 * request before the next; a synchronous `fn` runs in a plain loop, awaited only per batch.
 */
export async function opsPerSecond(fn, ms) {
  const first = fn();
  const awaited = typeof first?.then === 'function';
  if (awaited) await first;
  const runBatch = awaited
    ? async (n) => { for (let i = 0; i < n; i++) await fn(); }
    : (n) => { for (let i = 0; i < n; i++) fn(); };
  // A batch long enough (about 5 ms) that reading the clock costs nothing measurable.
  let batch = 1;
  for (;;) {
    const start = performance.now();
    await runBatch(batch);
    if (performance.now() - start >= 5) break;
    batch *= 2;
  }
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    await runBatch(batch);
    calls += batch;
    elapsed = performance.now() - start;
  }
  return (calls * 1000) / elapsed;
}

/**
 * Compares contenders (`{ name: fn }`) fairly on a noisy machine: after a warm-up, `rounds`
 * rounds each run every contender for `ms`, in an order that rotates from round to round.
 * Answers each contender's median calls per second, and the median of its per-round ratio to
 * every other contender (ratios of the same round, so that a slow spell hits both sides).
 * Works the same in Node and in a page (no imports).
 */
export async function compare(contenders, { rounds = 7, ms = 300, warmupMs = 300 } = {}) {
  const names = Object.keys(contenders);
  for (const name of names) await opsPerSecond(contenders[name], warmupMs);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      samples[name].push(await opsPerSecond(contenders[name], ms));
    }
  }
  const perSecond = Object.fromEntries(names.map((n) => [n, median(samples[n])]));
  const ratio = (a, b) => median(samples[a].map((value, i) => value / samples[b][i]));
  return { perSecond, ratio, samples };
}

/** Milliseconds, rounded to a microsecond. */
export const ms3 = (value) => Math.round(value * 1000) / 1000;
export const round = (value, digits = 0) => Number(value.toFixed(digits));

/**
 * `bytes` of a wasm module with a custom section appended that holds `n`: the same code under a
 * different hash, so that an engine's in-memory cache of compiled modules cannot answer a repeat.
 */
export function uniqueModuleBytes(bytes, n) {
  const name = [...'bench'].map((c) => c.charCodeAt(0));
  const payload = [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
  const section = [name.length, ...name, ...payload];
  const out = new Uint8Array(bytes.length + 2 + section.length);
  out.set(bytes);
  out.set([0, section.length, ...section], bytes.length);
  return out;
}
