// The sandbox: its own load generator (sandbox/src/bin/sandbox-bench.rs: signed GET DescribeJobs
// from 1, 16 and 64 keep-alive clients, in-process), folded in as it reports; then the package's
// addClickHouseUser against a release sandbox from Node, one client and 16 concurrent ones.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as qc from 'qingcloud-useradd';
import { startSandbox, DEMO } from '../tests/support/sandbox.mjs';
import { median, ms3, round } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const release = (name) => fileURLToPath(new URL(`../target/release/${name}`, import.meta.url));

function ensureBuilt() {
  if (existsSync(release('sandbox-bench')) && existsSync(release('qingcloud-sandbox'))) return;
  execFileSync('cargo', ['build', '--release', '-p', 'qingcloud-sandbox', '--bins'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

function labelOf(key) {
  const [, what, clients] = /^sandbox_(.+)_c(\d+)$/.exec(key) ?? [];
  const names = { rps: ['sandbox: signed DescribeJobs', 'req/s'], p50_ms: ['  p50 latency', 'ms'], p99_ms: ['  p99 latency', 'ms'], errors: ['  errors', 'count'] };
  const [label, unit] = names[what] ?? [key, ''];
  return { label: `${label}, ${clients} client${clients === '1' ? '' : 's'}`, unit };
}

/** addClickHouseUser calls from `clients` concurrent loops for `ms`: calls/s and latencies. */
async function addUsers(url, clients, ms, tag) {
  const credentials = { accessKeyId: DEMO.accessKeyId, secretAccessKey: DEMO.secretAccessKey };
  const latencies = [];
  let serial = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < deadline) {
      const userName = `bench_${tag}_${serial++}`;
      const t0 = performance.now();
      await qc.addClickHouseUser({ cluster: DEMO.clickhouseCluster, zone: DEMO.zone, userName, userPassword: 'Passw0rd-bench', userNetworks: '10.0.0.0/8' }, credentials, { endpoint: url });
      latencies.push(performance.now() - t0);
    }
  }));
  const elapsed = performance.now() - started;
  const sorted = [...latencies].sort((a, b) => a - b);
  return { perSecond: (latencies.length * 1000) / elapsed, p50: median(latencies), p99: sorted[Math.floor(sorted.length * 0.99)] };
}

export default async function ({ quick }) {
  ensureBuilt();
  const out = execFileSync(release('sandbox-bench'), ['--seconds', quick ? '0.5' : '3'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stderr.write(out.split('\n').filter((l) => !l.startsWith('{')).join('\n'));
  const figures = JSON.parse(out.trim().split('\n').at(-1));
  const rows = Object.entries(figures)
    .sort(([a], [b]) => {
      const order = (k) => Number(/_c(\d+)$/.exec(k)?.[1] ?? 0) * 10 + ['rps', 'p50', 'p99', 'err'].findIndex((w) => k.includes(`_${w}`));
      return order(a) - order(b);
    })
    .map(([key, value]) => ({ key, value, ...labelOf(key) }));

  const sandbox = await startSandbox({ args: ['--quiet'], env: { SANDBOX_BIN: release('qingcloud-sandbox') } });
  try {
    const ms = quick ? 500 : 3000;
    await addUsers(sandbox.url, 4, quick ? 100 : 500, 'warm');
    const one = await addUsers(sandbox.url, 1, ms, 'c1');
    const many = await addUsers(sandbox.url, 16, ms, 'c16');
    rows.push(
      { key: 'js_add_user_per_s_c1', value: round(one.perSecond), unit: 'calls/s', label: 'addClickHouseUser from Node to the sandbox, 1 client', note: 'validate, sign, fetch, parse' },
      { key: 'js_add_user_p50_ms_c1', value: ms3(one.p50), unit: 'ms', label: '  p50 latency, 1 client' },
      { key: 'js_add_user_per_s_c16', value: round(many.perSecond), unit: 'calls/s', label: 'addClickHouseUser from Node to the sandbox, 16 clients' },
      { key: 'js_add_user_p99_ms_c16', value: ms3(many.p99), unit: 'ms', label: '  p99 latency, 16 clients' },
    );
  } finally {
    await sandbox.stop();
  }
  return rows;
}
