// The published declarations: strict TypeScript accepts correct use, rejects misuse, and no
// declaration says `any`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const tsc = new URL('node_modules/typescript/bin/tsc', root).pathname;

function typecheck(file) {
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
      '--moduleResolution', 'nodenext', '--skipLibCheck', 'false', new URL(file, import.meta.url).pathname], { cwd: root, encoding: 'utf8' });
    return '';
  } catch (error) {
    return error.stdout;
  }
}

test('correct use type-checks', () => {
  assert.equal(typecheck('types/usage.ts'), '');
});

test('misuse is caught by the types', () => {
  const errors = typecheck('types/misuse.ts');
  const lines = errors.split('\n').filter((l) => l.includes('error TS'));
  // One error for each line of misuse.ts marked `// error:`.
  const expected = readFileSync(new URL('types/misuse.ts', import.meta.url), 'utf8').split('\n').filter((l) => /;\s*\/\/ error:/.test(l)).length;
  assert.equal(lines.length, expected, errors);
});

test('no declaration file says any', () => {
  for (const dir of ['pkg/web/', 'pkg/bundler/', 'pkg/node/']) {
    for (const file of readdirSync(new URL(dir, root)).filter((f) => f.endsWith('.d.ts'))) {
      const text = readFileSync(new URL(dir + file, root), 'utf8');
      assert.doesNotMatch(text, /\bany\b/, `${dir}${file}`);
    }
  }
});
