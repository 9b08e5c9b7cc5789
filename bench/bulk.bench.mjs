// Bulk adds: 1,000 ClickHouse rows through addClickHouseUsers at concurrency 1, 4 and 16, each
// row followed to its job's end, beside the official qingcloud-sdk doing the same work in a plain
// sequential loop — all against release sandboxes, in the same run. Two settings: jobs that end at
// once (the clients' own cost), and jobs that take 200 ms (closer to the cloud, where waiting
// dominates; the SDK loop then does 50 rows, as 1,000 would take minutes).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as qc from 'qingcloud-useradd';
import { startSandbox, demoConfig, DEMO } from '../tests/support/sandbox.mjs';
import { round } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const sandboxBin = fileURLToPath(new URL('../target/release/qingcloud-sandbox', import.meta.url));

const credentials = { accessKeyId: DEMO.accessKeyId, secretAccessKey: DEMO.secretAccessKey };

/** Rows per second of one bulk run, every row followed to `created`. */
async function bulkRate(url, count, concurrency, tag) {
  const input = Array.from({ length: count }, (_, i) => ({ userName: `${tag}_${i}`, userPassword: 'Passw0rd-bulk', userNetworks: '10.0.0.0/8' }));
  const started = performance.now();
  const { counts } = await qc.addClickHouseUsers(input, credentials, {
    endpoint: url, cluster: DEMO.clickhouseCluster, zone: DEMO.zone, method: 'POST', concurrency, pollIntervalMs: 20,
  });
  const elapsed = performance.now() - started;
  if (counts.created !== count) throw new Error(`only ${counts.created} of ${count} rows were created: ${JSON.stringify(counts)}`);
  return (count * 1000) / elapsed;
}

/** Rows per second of the official SDK's sequential loop. */
function sdkRate(port, count, tag) {
  const script = fileURLToPath(new URL('sdk_sequential.py', import.meta.url));
  const out = execFileSync('python3', [script, String(port), String(count), tag], { encoding: 'utf8' });
  const sdk = JSON.parse(out.trim().split('\n').at(-1));
  if (sdk.created !== count) throw new Error(`the SDK loop created ${sdk.created} of ${count}`);
  return sdk.rows_per_s;
}

async function withSandbox(jobDelayMs, work) {
  const sandbox = await startSandbox({ config: demoConfig({ jobDelayMs }), args: ['--quiet'], env: { SANDBOX_BIN: sandboxBin } });
  try {
    return await work(sandbox);
  } finally {
    await sandbox.stop();
  }
}

export default async function ({ quick }) {
  if (!existsSync(sandboxBin)) {
    execFileSync('cargo', ['build', '--release', '-p', 'qingcloud-sandbox', '--bins'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const count = quick ? 100 : 1000;
  const rows = [];
  await withSandbox(0, async (sandbox) => {
    const rate = {};
    for (const concurrency of [1, 4, 16]) {
      rate[concurrency] = await bulkRate(sandbox.url, count, concurrency, `instant_c${concurrency}`);
      rows.push({ key: `bulk_rows_per_s_c${concurrency}`, value: round(rate[concurrency]), unit: 'rows/s', label: `addClickHouseUsers, ${count} rows, instant jobs, concurrency ${concurrency}`, note: 'sent and followed to successful' });
    }
    const sdk = sdkRate(sandbox.port, count, 'sdk_instant');
    rows.push(
      { key: 'bulk_sdk_sequential_rows_per_s', value: round(sdk), unit: 'rows/s', label: `qingcloud-sdk sequential loop, ${count} rows, instant jobs`, note: 'add, then DescribeJobs until successful, per row' },
      { key: 'bulk_ratio_c1_vs_sdk', value: round(rate[1] / sdk, 2), unit: 'x', label: '  concurrency 1 vs the SDK loop, instant jobs' },
      { key: 'bulk_ratio_c16_vs_sdk', value: round(rate[16] / sdk, 2), unit: 'x', label: '  concurrency 16 vs the SDK loop, instant jobs' },
    );
  });
  await withSandbox(200, async (sandbox) => {
    const bulk = await bulkRate(sandbox.url, count, 16, 'slow_c16');
    const sdk = sdkRate(sandbox.port, quick ? 10 : 50, 'sdk_slow');
    rows.push(
      { key: 'bulk_rows_per_s_c16_jobs_200ms', value: round(bulk), unit: 'rows/s', label: `addClickHouseUsers, ${count} rows, 200 ms jobs, concurrency 16` },
      { key: 'bulk_sdk_sequential_rows_per_s_jobs_200ms', value: round(sdk, 1), unit: 'rows/s', label: `qingcloud-sdk sequential loop, ${quick ? 10 : 50} rows, 200 ms jobs` },
      { key: 'bulk_ratio_c16_vs_sdk_jobs_200ms', value: round(bulk / sdk, 1), unit: 'x', label: '  concurrency 16 vs the SDK loop, 200 ms jobs' },
    );
  });
  return rows;
}
