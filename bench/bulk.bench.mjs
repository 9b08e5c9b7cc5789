// Bulk adds of ClickHouse users through addClickHouseUsers, every row followed to its job's end,
// against release sandboxes on 127.0.0.1, in three parts:
//
// 1. The client's own cost: 1,000 rows, jobs that end at once, no latency, at concurrency 1, 4 and
//    16, beside the official qingcloud-sdk in a sequential loop (bench/sdk_sequential.py).
// 2. A throttling API: the sandbox's capacity fault (past 6 requests in flight it answers 5100 at
//    once), 1,000 rows, 20 ms latency, 200 ms jobs: `concurrency: 'auto'` against fixed 2, 6 and
//    16. Created rows per second, and the busy answers the sandbox gave (its request log's
//    `fault:capacity` entries, add and DescribeJobs calls alike).
// 3. The strongest peer an operator would write: qingcloud-sdk in a ThreadPoolExecutor of 16,
//    then DescribeJobs in batches of 100 (bench/sdk_pool.py, which documents its retries), against
//    the package at concurrency 16. 1,000 rows, 200 ms jobs, 20 ms latency, a poll every 1 s and
//    every 200 ms, without faults and with 10% of API requests failing (2% each: busy, internal,
//    HTTP 5xx, dropped connection, answer cut off after the request was carried out). The users
//    really created on the sandbox are counted against the rows each side reports created or
//    existing. Also the sequential SDK loop on a few rows, at the fault-free 200 ms setting.
//
// Runs of the two sides alternate, each on a freshly reset sandbox; figures are medians of 3 runs
// (1 in --quick, on fewer rows), ratios medians of per-round ratios.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as qc from 'qingcloud-useradd';
import { startSandbox, demoConfig, DEMO } from '../tests/support/sandbox.mjs';
import { median, round } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const sandboxBin = fileURLToPath(new URL('../target/release/qingcloud-sandbox', import.meta.url));

const credentials = { accessKeyId: DEMO.accessKeyId, secretAccessKey: DEMO.secretAccessKey };
const LATENCY_MS = 20;
const JOB_MS = 200;
const CAPACITY = 6;
const NO_FAULTS = {};
const TEN_PERCENT_FAULTS = { busy_ratio: 0.02, internal_ratio: 0.02, error_5xx_ratio: 0.02, drop_ratio: 0.02, truncated_ratio: 0.02 };

async function withSandbox(jobDelayMs, work) {
  const sandbox = await startSandbox({ config: demoConfig({ jobDelayMs }), args: ['--quiet'], env: { SANDBOX_BIN: sandboxBin } });
  try {
    return await work(sandbox);
  } finally {
    await sandbox.stop();
  }
}

/** Forgets users, jobs and the request log, and sets the faults of the next run. */
async function freshRun(sandbox, faults) {
  await sandbox.reset({ state: true });
  await sandbox.setFaults(faults);
}

/** One addClickHouseUsers run: elapsed seconds and its counts. */
async function packageRun(url, count, tag, { concurrency, pollIntervalMs }) {
  const input = Array.from({ length: count }, (_, i) => ({ userName: `${tag}_${i}`, userPassword: 'Passw0rd-bulk', userNetworks: '10.0.0.0/8' }));
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { counts } = await qc.addClickHouseUsers(input, credentials, {
    endpoint: url, cluster: DEMO.clickhouseCluster, zone: DEMO.zone, method: 'POST', concurrency, pollIntervalMs,
  });
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { elapsed, created: counts.created, reported: counts.created + counts.exists, cpuMs: (used.user + used.system) / 1000 };
}

function python(script, args) {
  const out = execFileSync('python3', [fileURLToPath(new URL(script, import.meta.url)), ...args.map(String)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1));
}

/** One run of the SDK in a thread pool (bench/sdk_pool.py). */
function poolRun(port, count, tag, pollIntervalMs) {
  const pool = python('sdk_pool.py', [port, count, tag, pollIntervalMs / 1000]);
  return { elapsed: pool.elapsed_s, created: pool.created, reported: pool.created + pool.exists };
}

/** What the sandbox saw of a run: users really created, busy answers, and its schedule. */
async function observed(sandbox, tag) {
  const [{ clusters }, log] = await Promise.all([sandbox.users(), sandbox.requests()]);
  const users = clusters.flatMap((c) => c.users).filter((u) => u.name.startsWith(`${tag}_`)).length;
  // The log keeps the last 10,000 requests: a longer run would be miscounted.
  if (log.length >= 10_000) throw new Error(`${tag}: the request log overflowed`);
  const adds = log.filter((e) => e.action === 'RunClusterCustomService').map((e) => e.started_ms);
  const first = Math.min(...log.map((e) => e.started_ms));
  const end = Math.max(...log.map((e) => e.started_ms + e.duration_ms));
  return {
    users,
    busy: log.filter((e) => e.result === 'fault:capacity').length,
    requests: log.length,
    sendingS: (Math.max(...adds) - first) / 1000,
    tailS: (end - Math.max(...adds)) / 1000,
  };
}

/**
 * Bare `fetch` POSTs per second, 16 in flight, each with a timeout signal as the package sends
 * them: the most any fetch-based client can send from Node here.
 */
async function fetchFloor(url, count) {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < count) {
      next += 1;
      const response = await fetch(`${url}/iaas/`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=DescribeJobs', signal: AbortSignal.timeout(30_000),
      });
      await response.text();
    }
  }));
  return (count * 1000) / (performance.now() - started);
}

/** Rows per second of the client's own cost (part 1). */
async function instantRates(count) {
  return withSandbox(0, async (sandbox) => {
    const rows = [];
    const rate = {};
    for (const concurrency of [1, 4, 16]) {
      const run = await packageRun(sandbox.url, count, `instant_c${concurrency}`, { concurrency, pollIntervalMs: 20 });
      if (run.created !== count) throw new Error(`only ${run.created} of ${count} rows were created at concurrency ${concurrency}`);
      rate[concurrency] = count / run.elapsed;
      rows.push({ key: `bulk_rows_per_s_c${concurrency}`, value: round(rate[concurrency]), unit: 'rows/s', label: `addClickHouseUsers, ${count} rows, instant jobs, concurrency ${concurrency}`, note: 'sent and followed to successful' });
    }
    const sdk = python('sdk_sequential.py', [sandbox.port, count, 'sdk_instant']);
    if (sdk.created !== count) throw new Error(`the SDK loop created ${sdk.created} of ${count}`);
    rows.push(
      { key: 'bulk_sdk_sequential_rows_per_s', value: round(sdk.rows_per_s), unit: 'rows/s', label: `qingcloud-sdk sequential loop, ${count} rows, instant jobs`, note: 'add, then DescribeJobs until successful, per row' },
      { key: 'bulk_ratio_c1_vs_sdk', value: round(rate[1] / sdk.rows_per_s, 2), unit: 'x', label: '  concurrency 1 vs the SDK loop, instant jobs' },
      { key: 'bulk_ratio_c16_vs_sdk', value: round(rate[16] / sdk.rows_per_s, 2), unit: 'x', label: '  concurrency 16 vs the SDK loop, instant jobs' },
    );
    return rows;
  });
}

/** `concurrency: 'auto'` against fixed settings under the capacity fault (part 2). */
async function capacityRates(count, runs) {
  const settings = ['auto', 2, 6, 16];
  const samples = Object.fromEntries(settings.map((s) => [s, []]));
  await withSandbox(JOB_MS, async (sandbox) => {
    for (let round = 0; round < runs; round++) {
      for (let i = 0; i < settings.length; i++) {
        const concurrency = settings[(i + round) % settings.length];
        const tag = `cap_${concurrency}_${round}`;
        await freshRun(sandbox, { latency_ms: LATENCY_MS, capacity: CAPACITY });
        const run = await packageRun(sandbox.url, count, tag, { concurrency, pollIntervalMs: 200 });
        const seen = await observed(sandbox, tag);
        samples[concurrency].push({ ...run, ...seen, rate: run.created / run.elapsed });
      }
    }
  });
  const rate = (s) => median(samples[s].map((r) => r.rate));
  const busy = (s) => median(samples[s].map((r) => r.busy));
  const best = Math.max(...[2, 6, 16].map(rate));
  const rows = [];
  for (const s of settings) {
    const name = s === 'auto' ? "'auto'" : `fixed ${s}`;
    rows.push(
      { key: `bulk_capacity6_rows_per_s_${s}`, value: round(rate(s)), unit: 'rows/s', label: `capacity ${CAPACITY}, ${count} rows, ${LATENCY_MS} ms latency, ${JOB_MS} ms jobs, concurrency ${name}`, note: 'rows created per second' },
      { key: `bulk_capacity6_busy_${s}`, value: busy(s), unit: 'answers', label: `  busy answers (5100 past capacity), ${name}` },
      { key: `bulk_capacity6_not_created_${s}`, value: samples[s].reduce((sum, r) => sum + count - r.created, 0), unit: 'rows', label: `  rows not created, all ${runs} runs, ${name}` },
    );
  }
  rows.push(
    { key: 'bulk_capacity6_ratio_auto_vs_best_fixed', value: round(rate('auto') / best, 2), unit: 'x', label: "  'auto' rows/s ÷ the best fixed setting's", note: 'aim ≥ 0.9' },
    { key: 'bulk_capacity6_ratio_auto_busy_vs_c16', value: round(busy('auto') / Math.max(1, busy(16)), 2), unit: 'x', label: "  'auto' busy answers ÷ fixed 16's", note: 'aim ≤ 0.25' },
  );
  return rows;
}

/** The package at 16 against the SDK in a pool of 16, and the sequential loop (part 3). */
async function poolComparison(count, runs, sequentialCount) {
  const settings = [
    { key: 'poll1s', pollIntervalMs: 1000, faults: NO_FAULTS, label: 'poll 1 s, no faults' },
    { key: 'poll200ms', pollIntervalMs: 200, faults: NO_FAULTS, label: 'poll 200 ms, no faults' },
    { key: 'poll1s_faults10', pollIntervalMs: 1000, faults: TEN_PERCENT_FAULTS, label: 'poll 1 s, 10% faults' },
    { key: 'poll200ms_faults10', pollIntervalMs: 200, faults: TEN_PERCENT_FAULTS, label: 'poll 200 ms, 10% faults' },
  ];
  const rows = [];
  await withSandbox(JOB_MS, async (sandbox) => {
    for (const setting of settings) {
      const side = { package: [], pool: [] };
      for (let round = 0; round < runs; round++) {
        const order = round % 2 ? ['pool', 'package'] : ['package', 'pool'];
        for (const who of order) {
          const tag = `${who}_${setting.key}_${round}`;
          await freshRun(sandbox, { latency_ms: LATENCY_MS, seed: 1000 + round, ...setting.faults });
          const run = who === 'package'
            ? await packageRun(sandbox.url, count, tag, { concurrency: 16, pollIntervalMs: setting.pollIntervalMs })
            : poolRun(sandbox.port, count, tag, setting.pollIntervalMs);
          side[who].push({ ...run, ...(await observed(sandbox, tag)), rate: count / run.elapsed });
        }
      }
      const rate = (who) => median(side[who].map((r) => r.rate));
      const offBy = (who) => side[who].reduce((sum, r) => sum + Math.abs(r.users - r.reported), 0);
      const lost = (who) => side[who].reduce((sum, r) => sum + count - r.reported, 0);
      const ratio = median(side.package.map((r, i) => r.rate / side.pool[i].rate));
      rows.push(
        { key: `bulk_package_c16_rows_per_s_${setting.key}`, value: round(rate('package')), unit: 'rows/s', label: `addClickHouseUsers at 16, ${count} rows, ${JOB_MS} ms jobs, ${LATENCY_MS} ms latency, ${setting.label}` },
        { key: `bulk_sdk_pool16_rows_per_s_${setting.key}`, value: round(rate('pool')), unit: 'rows/s', label: `  qingcloud-sdk, a pool of 16 threads, same setting` },
        { key: `bulk_ratio_package_vs_pool_${setting.key}`, value: round(ratio, 2), unit: 'x', label: '  package ÷ pool', note: 'aim ≥ 1.0' },
        { key: `bulk_package_rows_not_reported_${setting.key}`, value: lost('package'), unit: 'rows', label: `  package: rows not reported created or existing, all ${runs} runs` },
        { key: `bulk_sdk_pool16_rows_not_reported_${setting.key}`, value: lost('pool'), unit: 'rows', label: `  pool: rows not reported created or existing, all ${runs} runs` },
        { key: `bulk_package_users_miscounted_${setting.key}`, value: offBy('package'), unit: 'users', label: '  package: users on the sandbox that its report does not match' },
        { key: `bulk_sdk_pool16_users_miscounted_${setting.key}`, value: offBy('pool'), unit: 'users', label: '  pool: users on the sandbox that its report does not match' },
      );
      if (setting.faults === NO_FAULTS) {
        // Where the time goes (the sandbox's request log): sending every add, then the tail
        // from the last add to the last answer.
        for (const who of ['package', 'pool']) {
          const name = who === 'package' ? 'package' : 'sdk_pool16';
          rows.push(
            { key: `bulk_${name}_sending_s_${setting.key}`, value: round(median(side[who].map((r) => r.sendingS)), 2), unit: 's', label: `  ${who}: first request to the last add` },
            { key: `bulk_${name}_tail_s_${setting.key}`, value: round(median(side[who].map((r) => r.tailS)), 2), unit: 's', label: `  ${who}: last add to the last answer` },
          );
        }
      }
      if (setting.key === 'poll200ms') {
        // The package's CPU time in Node, and what bare fetch can do at the same latency.
        const floor = await fetchFloor(sandbox.url, count);
        rows.push(
          { key: 'bulk_package_cpu_ms_per_row_poll200ms', value: round(median(side.package.map((r) => r.cpuMs / count)), 2), unit: 'ms', label: '  package: Node CPU time per row (fetch, signing, bookkeeping)' },
          { key: 'bulk_node_fetch_floor_per_s', value: round(floor), unit: 'requests/s', label: `  bare fetch from Node, ${count} POSTs at 16 in flight, same latency`, note: 'no signing, no polling' },
        );
        const loop = python('sdk_sequential.py', [sandbox.port, sequentialCount, 'sdk_sequential']);
        if (loop.created !== sequentialCount) throw new Error(`the SDK loop created ${loop.created} of ${sequentialCount}`);
        rows.push(
          { key: 'bulk_sdk_sequential_rows_per_s_jobs_200ms', value: round(loop.rows_per_s, 1), unit: 'rows/s', label: `  qingcloud-sdk sequential loop, ${sequentialCount} rows, same setting` },
          { key: 'bulk_ratio_c16_vs_sdk_jobs_200ms', value: round(rate('package') / loop.rows_per_s, 1), unit: 'x', label: '  package at 16 ÷ the sequential loop' },
        );
      }
    }
  });
  return rows;
}

export default async function ({ quick }) {
  if (!existsSync(sandboxBin)) {
    execFileSync('cargo', ['build', '--release', '-p', 'qingcloud-sandbox', '--bins'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const count = quick ? 100 : 1000;
  const runs = quick ? 1 : 3;
  return [
    ...(await instantRates(count)),
    ...(await capacityRates(quick ? 200 : 1000, runs)),
    ...(await poolComparison(quick ? 200 : 1000, runs, quick ? 5 : 20)),
  ];
}
