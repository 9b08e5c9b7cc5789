// A throwaway project that uses the package as a new user would: `npm pack` of the built package,
// then tests/consumers/ copied to a temporary folder, its dependencies installed by `npm ci` from
// the lock file kept there, and the tarball installed on top. Used by tests/js/consumers.test.mjs
// and bench/bundle.bench.mjs.
//
//   const project = makeConsumerProject();
//   project.run('node_modules/.bin/vite', ['build']);   // in the project folder
//   project.remove();

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './sandbox.mjs';

export const FIXTURE = join(REPO_ROOT, 'tests', 'consumers');

/** Runs a command to its end; answers its stdout, or throws with its output. */
export function run(command, args, { cwd, timeoutMs = 180_000, env = {} } = {}) {
  try {
    return execFileSync(command, args, {
      cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed (${error.signal ?? error.status}):\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
  }
}

/** Packs the package (pkg/ must be built) and makes the project; see the top of this file. */
export function makeConsumerProject() {
  if (!existsSync(join(REPO_ROOT, 'pkg', 'web', 'qingcloud_useradd_bg.wasm'))) {
    throw new Error('pkg/ is not built: run `bash scripts/build.sh` first');
  }
  const dir = mkdtempSync(join(tmpdir(), 'qingcloud-consumers-'));
  try {
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: REPO_ROOT }));
    const tarball = join(dir, packed.filename);
    const path = join(dir, 'project');
    // The fixture's own sources and lock file; not what a run of it left behind.
    cpSync(FIXTURE, path, {
      recursive: true,
      filter: (source) => !/(^|\/)(node_modules|dist)(\/|$)/.test(relative(FIXTURE, source)),
    });
    const npm = (...args) => run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: path });
    npm('ci');
    npm('install', '--no-save', tarball);
    return {
      path,
      /** What `npm pack --json` said about the tarball: its files, sizes and so on. */
      packed,
      tarball,
      run: (command, args, options = {}) => run(command, args, { cwd: path, ...options }),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
