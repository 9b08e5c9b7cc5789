// Runs every bench/*.bench.mjs (or the named ones), each in a fresh Node process and one after the
// other, writes their figures to bench/results.json (one key per figure, numbers only, plus
// `machine`, which tells which benches the last run covered; a run of named benches keeps the
// figures of the others, a run of all starts the file afresh), and prints a table. Benchmarks report; they never assert speed.
//
//   node bench/run.mjs [--quick] [--out FILE] [name ...]     (names: size, startup, sign, ...)
//
// --quick shortens every measurement (a smoke run; its figures are rough, so they go into a file
// only when --out names one). A bench file that fails is reported and makes the run exit non-zero,
// after the others have run.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// In a child: run one bench file and print its rows as the last line of stdout.
if (process.argv[2] === '--one') {
  const { default: bench } = await import(pathToFileURL(process.argv[3]).href);
  const rows = await bench({ quick: process.argv.includes('--quick') });
  for (const row of rows) {
    if (typeof row.value !== 'number' || !Number.isFinite(row.value)) throw new Error(`${row.key} is not a finite number: ${row.value}`);
  }
  process.stdout.write(`\n${JSON.stringify(rows)}\n`);
  process.exit(0);
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? resolve(args[outAt + 1]) : quick ? null : join(here, 'results.json');
const names = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
// A fixed order: size and start-up first, while the machine is quiet; the sandbox last.
const order = ['size', 'startup', 'chromium', 'sign', 'sandbox', 'bulk'];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => basename(f, '.bench.mjs'))
  .filter((n) => names.length === 0 || names.includes(n))
  .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
if (files.length === 0) {
  console.error(`bench: nothing to run (${names.join(', ')})`);
  process.exit(2);
}

function runOne(name) {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--one', join(here, `${name}.bench.mjs`), ...(quick ? ['--quick'] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolveRun({ name, rows: JSON.parse(last) });
      } catch (error) {
        resolveRun({ name, error: `${error.message}\n${stdout.slice(-2000)}` });
      }
    });
  });
}

function version(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
  } catch {
    return null;
  }
}

const machine = {
  cpu_model: os.cpus()[0]?.model?.trim() ?? 'unknown',
  cores: os.availableParallelism?.() ?? os.cpus().length,
  memory_bytes: os.totalmem(),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node_version: process.version,
  // One stable toolchain builds the package and the sandbox.
  rustc_version: version('rustc', ['--version']),
  chromium_version: version('/usr/bin/chromium', ['--version']),
  load_average_at_start: os.loadavg().map((l) => Number(l.toFixed(2))),
  date: new Date().toISOString(),
  quick,
  benches: files,
};

const results = [];
for (const name of files) {
  const started = performance.now();
  process.stderr.write(`bench: ${name} ...\n`);
  const result = await runOne(name);
  process.stderr.write(`bench: ${name} ${result.error ? 'FAILED' : 'done'} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  results.push(result);
}

const failed = results.filter((r) => r.error);
const figures = {};
for (const { rows = [] } of results) for (const row of rows) figures[row.key] = row.value;
// A run with a failure leaves the last complete results as they were.
if (out && !failed.length) {
  const { machine: _, ...kept } = names.length && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
  writeFileSync(out, `${JSON.stringify({ ...kept, ...figures, machine }, null, 2)}\n`);
}

// The table: Markdown, so that it can go into the README as it is.
const format = (value) => (Number.isInteger(value) ? value.toLocaleString('en-US') : String(value));
const lines = [
  `Machine: ${machine.cpu_model}, ${machine.cores} cores, ${(machine.memory_bytes / 2 ** 30).toFixed(0)} GiB, Node ${machine.node_version}, ${machine.rustc_version ?? 'rustc ?'}${quick ? ' (QUICK RUN: rough figures)' : ''}`,
  '',
  '| Figure | Value | Unit | Key |',
  '| --- | ---: | --- | --- |',
];
for (const { name, rows, error } of results) {
  if (error) {
    lines.push(`| ${name}: FAILED | | | |`);
    continue;
  }
  for (const row of rows) lines.push(`| ${row.label.replace(/^ +/, (s) => '&nbsp;'.repeat(s.length * 2))}${row.note ? ` (${row.note})` : ''} | ${format(row.value)} | ${row.unit} | \`${row.key}\` |`);
}
console.log(lines.join('\n'));
if (!out) console.error('bench: quick run, no file written (--out FILE writes one)');
else console.error(failed.length ? `bench: ${out} left as it was: a bench failed` : `bench: wrote ${out}`);
for (const { name, error } of failed) console.error(`bench: ${name} failed: ${error}`);
process.exit(failed.length ? 1 : 0);
