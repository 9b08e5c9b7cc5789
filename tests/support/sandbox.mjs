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

function ensureBuilt(binary) {
  if (existsSync(binary)) return;
  const built = spawnSync('cargo', ['build', '-p', 'qingcloud-sandbox'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status !== 0 || !existsSync(binary)) {
    throw new Error(`cannot build the sandbox (cargo build -p qingcloud-sandbox): exit ${built.status}`);
  }
}

const LISTENING = /^listening on (http:\/\/127\.0\.0\.1:(\d+))\s*$/;

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
      const timer = setTimeout(() => rejectStart(new Error(`the sandbox did not start within ${timeoutMs} ms`)), timeoutMs);
      stdout.once('line', (line) => {
        clearTimeout(timer);
        const match = LISTENING.exec(line);
        if (match) resolveStart([match[1], Number(match[2])]);
        else rejectStart(new Error(`unexpected first line from the sandbox: ${line}`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        rejectStart(error);
      });
      exitPromise.then(({ code, signal }) => {
        clearTimeout(timer);
        rejectStart(new Error(`the sandbox exited (${signal ?? code}) before listening:\n${logLines.join('\n')}`));
      });
    });
  } catch (error) {
    if (!exited) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  stdout.on('line', () => {});

  async function control(path, body) {
    const response = await fetch(`${url}${path}`, body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  }

  return {
    url,
    port,
    process: child,
    /** The stderr lines so far (one per request, never a secret). */
    logs: () => [...logLines],
    /** GET /_sandbox/requests: the API requests seen. */
    requests: () => control('/_sandbox/requests'),
    /** GET /_sandbox/users: clusters and their users. */
    users: () => control('/_sandbox/users'),
    /** POST /_sandbox/faults: busy_ratio, internal_ratio, error_5xx_ratio, malformed_ratio, drop_ratio, latency_ms, seed. */
    setFaults: (faults) => control('/_sandbox/faults', faults),
    /** POST /_sandbox/reset: forgets the request log; with { state: true } also users and jobs. */
    reset: (options = {}) => control('/_sandbox/reset', options),
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
