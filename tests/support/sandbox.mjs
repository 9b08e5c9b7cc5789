// Starts the sandbox binary for Node tests and stops it again.
//
//   import { startSandbox, DEMO } from '../support/sandbox.mjs';
//   const sandbox = await startSandbox({ config: { job_delay_ms: 50, accounts: [...] } });
//   ... fetch(`${sandbox.url}/iaas/?...`) ...
//   await sandbox.requests();   // GET /_sandbox/requests
//   await sandbox.stop();
//
// The binary is $SANDBOX_BIN, or target/debug/qingcloud-sandbox under $CARGO_TARGET_DIR or the
// repository root; it is built with cargo when missing. It listens on 127.0.0.1 with --port 0 and
// runs in the repository root, so that it serves www/ and pkg/web/ by default.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built-in demo account, used when no config is given. */
export const DEMO = Object.freeze({
  accessKeyId: 'SANDBOXACCESSKEYID01',
  secretAccessKey: 'sandbox-secret-access-key',
  zone: 'pek3',
  clickhouseCluster: 'cl-sandbox1',
  ehpcCluster: 'ehpc-sandbox1',
});

/** The demo account as a config object, with a short job delay: a base for tests to change. */
export function demoConfig({ jobDelayMs = 50 } = {}) {
  return {
    job_delay_ms: jobDelayMs,
    accounts: [
      {
        access_key_id: DEMO.accessKeyId,
        secret_access_key: DEMO.secretAccessKey,
        zones: [DEMO.zone],
        clusters: [
          { id: DEMO.clickhouseCluster, users: ['default'] },
          { id: DEMO.ehpcCluster, users: ['admin'] },
        ],
      },
    ],
  };
}

export function sandboxBinary(env = process.env) {
  if (env.SANDBOX_BIN) return resolve(env.SANDBOX_BIN);
  const target = env.CARGO_TARGET_DIR ? resolve(env.CARGO_TARGET_DIR) : join(REPO_ROOT, 'target');
  return join(target, 'debug', process.platform === 'win32' ? 'qingcloud-sandbox.exe' : 'qingcloud-sandbox');
}

function ensureBuilt(binary, cargoArgs = ['build', '-p', 'qingcloud-sandbox']) {
  if (existsSync(binary)) return;
  const built = spawnSync('cargo', cargoArgs, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status !== 0 || !existsSync(binary)) {
    throw new Error(`cannot build ${binary} (cargo ${cargoArgs.join(' ')}): exit ${built.status}`);
  }
}

const LISTENING = /^listening on (http:\/\/127\.0\.0\.1:(\d+))\s*$/;
const LISTENING_TLS = /^listening on (https:\/\/localhost:(\d+))\s*$/;

/** Spawns `binary` and resolves once its first stdout line matches `listening` (URL, port). */
async function launch({ binary, argv, env, timeoutMs, dir, listening }) {
  const child = spawn(binary, argv, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Always drain both pipes: a full pipe would stall the server.
  const logLines = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    logLines.push(line);
    if (logLines.length > 2000) logLines.shift();
  });
  const stdout = createInterface({ input: child.stdout });

  let exited = null;
  const exitPromise = new Promise((resolveExit) => {
    child.once('close', (code, signal) => {
      exited = { code, signal };
      resolveExit(exited);
    });
  });

  let url;
  let port;
  try {
    [url, port] = await new Promise((resolveStart, rejectStart) => {
      const timer = setTimeout(() => rejectStart(new Error(`${binary} did not start within ${timeoutMs} ms`)), timeoutMs);
      stdout.once('line', (line) => {
        clearTimeout(timer);
        const match = listening.exec(line);
        if (match) resolveStart([match[1], Number(match[2])]);
        else rejectStart(new Error(`unexpected first line from ${binary}: ${line}`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        rejectStart(error);
      });
      exitPromise.then(({ code, signal }) => {
        clearTimeout(timer);
        rejectStart(new Error(`${binary} exited (${signal ?? code}) before listening:\n${logLines.join('\n')}`));
      });
    });
  } catch (error) {
    if (!exited) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  stdout.on('line', () => {});

  return {
    url,
    port,
    process: child,
    logLines,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 5000);
        await exitPromise;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Spawns the sandbox and resolves once it listens.
 * @param {object} [options]
 * @param {object} [options.config] a config object (written to a temporary JSON file)
 * @param {string[]} [options.args] more command-line arguments (--state, --www, --upstream-iaas, ...)
 * @param {object} [options.env] more environment variables
 * @param {number} [options.timeoutMs] how long to wait for the first line (default 60 s)
 */
export async function startSandbox({ config, args = [], env = {}, timeoutMs = 60_000 } = {}) {
  const binary = sandboxBinary({ ...process.env, ...env });
  ensureBuilt(binary);
  const dir = mkdtempSync(join(tmpdir(), 'qingcloud-sandbox-'));
  const argv = ['--port', '0'];
  if (config !== undefined) {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    argv.push('--config', file);
  }
  argv.push(...args);
  const server = await launch({ binary, argv, env, timeoutMs, dir, listening: LISTENING });
  const { url } = server;

  async function control(path, body) {
    const response = await fetch(`${url}${path}`, body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  }

  return {
    url,
    port: server.port,
    process: server.process,
    /** The stderr lines so far (one per request, never a secret). */
    logs: () => [...server.logLines],
    /** GET /_sandbox/requests: the API requests seen. */
    requests: () => control('/_sandbox/requests'),
    /** GET /_sandbox/users: clusters and their users. */
    users: () => control('/_sandbox/users'),
    /** POST /_sandbox/faults: busy_ratio, internal_ratio, error_5xx_ratio, malformed_ratio, drop_ratio, truncated_ratio, latency_ms, capacity, seed. */
    setFaults: (faults) => control('/_sandbox/faults', faults),
    /** POST /_sandbox/reset: forgets the request log; with { state: true } also users and jobs. */
    reset: (options = {}) => control('/_sandbox/reset', options),
    stop: server.stop,
  };
}

/**
 * Starts the demo sandbox behind HTTPS, with a certificate made at start by a test CA
 * (sandbox/examples/tls-upstream.rs, built with cargo when missing): a local stand-in for the real
 * endpoints in proxy mode. `caFile` is where the CA certificate (PEM) is, for `--upstream-ca`.
 * @returns {Promise<{ url: string, port: number, caFile: string, stop: () => Promise<void> }>}
 */
export async function startTlsUpstream({ env = {}, timeoutMs = 60_000 } = {}) {
  const target = env.CARGO_TARGET_DIR ?? process.env.CARGO_TARGET_DIR;
  const binary = join(target ? resolve(target) : join(REPO_ROOT, 'target'), 'debug', 'examples', 'tls-upstream');
  ensureBuilt(binary, ['build', '-p', 'qingcloud-sandbox', '--example', 'tls-upstream']);
  const dir = mkdtempSync(join(tmpdir(), 'qingcloud-tls-upstream-'));
  const caFile = join(dir, 'ca.pem');
  const server = await launch({ binary, argv: [caFile], env, timeoutMs, dir, listening: LISTENING_TLS });
  return { url: server.url, port: server.port, caFile, stop: server.stop };
}
