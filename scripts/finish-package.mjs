// Completes pkg/ after wasm-bindgen (web and bundler targets) and wasm-opt:
// - declarations without `any`, and without DOM-only names, so that they type-check in a Node-only
//   program too;
// - one .wasm: the bundler target imports the web target's, which is the same file;
// - the entries the package exports (see package.json): web/index.js (`qingcloud-useradd/web`),
//   web/ready.js (bundlers and browsers) and node/index.js (Node).
import { readFileSync, readdirSync, rmSync, renameSync, mkdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// The package directory being built: the argument, or pkg/.
const root = process.argv[2] ? pathToFileURL(`${process.argv[2].replace(/\/$/, '')}/`) : new URL('../pkg/', import.meta.url);
const at = (path) => new URL(path, root);
const read = (path) => readFileSync(at(path), 'utf8');
const write = (path, text) => writeFileSync(at(path), text);

// wasm-bindgen types the raw exports of its InitOutput with `any`; nothing outside the glue calls them.
const withoutAny = (text) => text.replace(/\bany\b/g, 'unknown');

// wasm-bindgen's loader declarations name DOM types. Node's own types (@types/node) have `Request`,
// `Response` and `URL` but neither `RequestInfo`, `BufferSource` nor `WebAssembly`: spell the first
// two out as lib.dom defines them, and take WebAssembly's types from lib.dom where the program has it.
const WASM_TYPE = `
/** WebAssembly's \`Module\`, \`Memory\` or \`Table\` where the program's types declare it (lib.dom), else \`object\`: Node's types do not. */
type WasmType<Name extends string> = typeof globalThis extends { WebAssembly: { [K in Name]: { prototype: infer T } } } ? T : object;
`;
function withoutDomNames(text) {
  if (!/\bWebAssembly\./.test(text)) return text;
  const code = (line) => !/^\s*(\/?\*|\/\/)/.test(line);
  const lines = text.split('\n').map((line) => (code(line)
    ? line.replace(/\bRequestInfo\b/g, 'Request | string')
      .replace(/\bBufferSource\b/g, 'ArrayBuffer | ArrayBufferView')
      .replace(/\bWebAssembly\.(\w+)\b/g, "WasmType<'$1'>")
    : line));
  return lines.join('\n') + WASM_TYPE;
}

for (const target of ['web', 'bundler']) {
  write(`${target}/qingcloud_useradd.d.ts`, withoutDomNames(withoutAny(read(`${target}/qingcloud_useradd.d.ts`))));
}
write('web/qingcloud_useradd_bg.wasm.d.ts', withoutAny(read('web/qingcloud_useradd_bg.wasm.d.ts')));

// Both targets' .wasm are the same bytes (the module imports its JS from "./qingcloud_useradd_bg.js"
// in both). The bundler glue imports the web target's, with the bundler target's import module moved
// beside it, so that the package ships the module once.
function files(dir) {
  return readdirSync(at(dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath ?? entry.path}/${entry.name}`.slice(at(dir).pathname.length))
    .sort();
}
const same = (a, b) => readFileSync(at(a)).equals(readFileSync(at(b)));
const shared = ['qingcloud_useradd_bg.wasm', ...files('bundler').filter((file) => file.startsWith('snippets/'))];
for (const file of shared) {
  if (!same(`bundler/${file}`, `web/${file}`)) throw new Error(`finish-package: bundler/${file} differs from web/${file}; they can no longer share one copy`);
}
renameSync(at('bundler/qingcloud_useradd_bg.js'), at('web/qingcloud_useradd_bg.js'));
for (const file of ['qingcloud_useradd_bg.wasm', 'qingcloud_useradd_bg.wasm.d.ts', 'snippets']) {
  rmSync(at(`bundler/${file}`), { recursive: true, force: true });
}
const bundlerGlue = read('bundler/qingcloud_useradd.js');
const moved = bundlerGlue.replace(/(["'])\.\/qingcloud_useradd_bg\.(js|wasm)\1/g, '$1../web/qingcloud_useradd_bg.$2$1');
if ((moved.match(/\.\.\/web\//g) ?? []).length < 2) throw new Error('finish-package: the bundler glue no longer imports ./qingcloud_useradd_bg.{js,wasm}');
write('bundler/qingcloud_useradd.js', moved);

// The web entry. A call before init() would meet wasm-bindgen's glue with no module and throw a bare
// TypeError; here it throws (or, from the functions that answer a promise, rejects with) a
// QingCloudError, code `not_initialized`, in the caller's `lang`. Every function of the glue is
// wrapped: the list comes from its declarations.
const declarations = read('web/qingcloud_useradd.d.ts');
const api = [...declarations.matchAll(/^export function (\w+)\(.*\): (Promise<)?/gm)]
  .map(([, name, promise]) => ({ name, promise: Boolean(promise) }))
  .filter(({ name }) => name !== 'initSync');
if (!api.some(({ name }) => name === 'isQingCloudError')) throw new Error('finish-package: the glue has no isQingCloudError');
const wrapper = ({ name, promise }) => (name === 'isQingCloudError'
  // Before init() the module cannot answer; this is its rule (an Error named QingCloudError).
  ? `export function isQingCloudError(value) {
  return ready ? glue.isQingCloudError(value) : value instanceof Error && value.name === 'QingCloudError';
}`
  : `export function ${name}(...args) {
  if (!ready) ${promise ? 'return Promise.reject(notInitialized' : 'throw notInitialized'}('${name}', args)${promise ? ')' : ''};
  return glue.${name}(...args);
}`);
write('web/index.js', `// qingcloud-useradd/web: call \`await init()\` (or \`initSync({ module })\`) once before the rest.
// Generated by scripts/finish-package.mjs around wasm-bindgen's glue, so that a call made too early
// fails with a QingCloudError rather than a bare TypeError from inside the glue.
import load, * as glue from './qingcloud_useradd.js';

let ready = false;

export default async function init(moduleOrPath) {
  const output = await load(moduleOrPath);
  ready = true;
  return output;
}

export function initSync(module) {
  const output = glue.initSync(module);
  ready = true;
  return output;
}

function notInitialized(name, args) {
  const zh = args.some((arg) => arg !== null && typeof arg === 'object' && arg.lang === 'zh');
  const error = new Error(zh
    ? \`qingcloud-useradd 尚未初始化：请先 await init()（或 initSync({ module })），再调用 \${name}。\`
    : \`qingcloud-useradd is not initialized: await init() (or call initSync({ module })) before \${name}.\`);
  error.name = 'QingCloudError';
  error.code = 'not_initialized';
  return error;
}

${api.map(wrapper).join('\n\n')}
`);

// What bundlers and browsers get for \`qingcloud-useradd\`: the module loaded at import, from the URL
// \`new URL('qingcloud_useradd_bg.wasm', import.meta.url)\` in the glue, which bundlers follow and emit.
write('web/ready.js', `// qingcloud-useradd in bundlers and browsers: ready on import (a top-level await loads the
// WebAssembly module beside the glue); init() may still be called and does nothing more.
import init from './index.js';

await init();

export * from './index.js';
export { default } from './index.js';
`);

mkdirSync(at('node/'), { recursive: true });
write('node/index.js', `// qingcloud-useradd in Node: instantiated from the package's own file at import, so no init() is
// needed (calling it anyway is harmless).
import { readFileSync } from 'node:fs';
import { initSync } from '../web/index.js';

initSync({ module: readFileSync(new URL('../web/qingcloud_useradd_bg.wasm', import.meta.url)) });

export * from '../web/index.js';
export { default } from '../web/index.js';
`);

const reexport = (from) => `export * from '${from}';\nexport { default } from '${from}';\n`;
write('web/index.d.ts', reexport('./qingcloud_useradd.js'));
write('web/ready.d.ts', reexport('./qingcloud_useradd.js'));
write('node/index.d.ts', reexport('../web/qingcloud_useradd.js'));
