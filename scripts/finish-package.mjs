// Completes pkg/ after wasm-bindgen: the Node entry, and declarations without `any` (wasm-bindgen
// types the raw exports of its InitOutput with `any`; nothing outside the glue calls them).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// The package directory being built: the argument, or pkg/.
const root = process.argv[2] ? pathToFileURL(`${process.argv[2].replace(/\/$/, '')}/`) : new URL('../pkg/', import.meta.url);

for (const target of ['web', 'bundler']) {
  const file = new URL(`${target}/qingcloud_useradd.d.ts`, root);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/\bany\b/g, 'unknown'));
  const raw = new URL(`${target}/qingcloud_useradd_bg.wasm.d.ts`, root);
  writeFileSync(raw, readFileSync(raw, 'utf8').replace(/\bany\b/g, 'unknown'));
}

mkdirSync(new URL('node/', root), { recursive: true });
writeFileSync(new URL('node/index.js', root), `// Node entry: instantiates the module from the package's own file at import, so no init() is
// needed (calling it anyway is harmless).
import { readFileSync } from 'node:fs';
import { initSync } from '../web/qingcloud_useradd.js';

initSync({ module: readFileSync(new URL('../web/qingcloud_useradd_bg.wasm', import.meta.url)) });

export * from '../web/qingcloud_useradd.js';
export { default } from '../web/qingcloud_useradd.js';
`);
writeFileSync(new URL('node/index.d.ts', root), `export * from '../web/qingcloud_useradd.js';
export { default } from '../web/qingcloud_useradd.js';
`);
