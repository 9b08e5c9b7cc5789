// Runs a command with a sandbox running beside it: `node scripts/with-sandbox.mjs [sandbox args] -- cmd args`.
// The command gets the sandbox's URL in SANDBOX_URL; the sandbox stops when the command ends.
import { spawn } from 'node:child_process';
import { startSandbox } from '../tests/support/sandbox.mjs';

const split = process.argv.indexOf('--');
if (split < 0 || split === process.argv.length - 1) {
  console.error('usage: node scripts/with-sandbox.mjs [sandbox args] -- command [args]');
  process.exit(2);
}
const sandbox = await startSandbox({ args: process.argv.slice(2, split) });
const [command, ...args] = process.argv.slice(split + 1);
const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, SANDBOX_URL: sandbox.url } });
const code = await new Promise((resolve) => child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))));
await sandbox.stop();
process.exit(code);
