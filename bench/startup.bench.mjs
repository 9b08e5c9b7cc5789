// Start-up in Node: compiling the module, instantiating it through the glue's initSync, both from
// bytes in memory, and a whole `import('qingcloud-useradd')` plus first calls in fresh processes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { median, ms3, uniqueModuleBytes } from './lib.mjs';

const wasmUrl = new URL('../pkg/web/qingcloud_useradd_bg.wasm', import.meta.url);
const glueUrl = new URL('../pkg/web/qingcloud_useradd.js', import.meta.url);
/** A fresh instance of the glue module (its own `wasm` global), by a query string. */
const freshGlue = (n) => import(`${glueUrl.href}?instance=${n}`);

// A first import of a tiny module starts Node's ESM loader, which is not the package's cost.
const FIRST_IMPORT = `
await import('data:text/javascript,export default 1');
const t0 = performance.now();
const qc = await import('qingcloud-useradd');
const t1 = performance.now();
qc.validateClickHouseUser({ cluster: 'cl-yxgxofd3', zone: 'pek3', userName: 'u', userPassword: 'Passw0rd!', userNetworks: '::1' });
qc.buildClickHouseAddUsersRequest({ cluster: 'cl-yxgxofd3', zone: 'pek3', userName: 'u', userPassword: 'Passw0rd!', userNetworks: '::1' }, { accessKeyId: 'a', secretAccessKey: 'b' });
const t2 = performance.now();
console.log(JSON.stringify([t1 - t0, t2 - t1]));
`;

export default async function ({ quick }) {
  const bytes = readFileSync(wasmUrl);
  const n = quick ? 5 : 40;
  let serial = 0;

  const compile = [];
  for (let i = 0; i < n; i++) {
    const unique = uniqueModuleBytes(bytes, serial++);
    const t0 = performance.now();
    await WebAssembly.compile(unique);
    compile.push(performance.now() - t0);
  }

  const instantiate = [];
  const module = await WebAssembly.compile(uniqueModuleBytes(bytes, serial++));
  for (let i = 0; i < n; i++) {
    const glue = await freshGlue(serial++);
    const t0 = performance.now();
    glue.initSync({ module });
    instantiate.push(performance.now() - t0);
  }

  // Synchronous compile and instantiate from bytes, as pkg/node/index.js does at import.
  const initSync = [];
  for (let i = 0; i < n; i++) {
    const glue = await freshGlue(serial++);
    const unique = uniqueModuleBytes(bytes, serial++);
    const t0 = performance.now();
    glue.initSync({ module: unique });
    initSync.push(performance.now() - t0);
  }

  const imports = [];
  const firstCalls = [];
  for (let i = 0; i < (quick ? 3 : 15); i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', FIRST_IMPORT], { encoding: 'utf8' });
    const [importMs, callMs] = JSON.parse(out.trim().split('\n').at(-1));
    imports.push(importMs);
    firstCalls.push(callMs);
  }

  return [
    { key: 'node_compile_ms', value: ms3(median(compile)), unit: 'ms', label: 'Node: WebAssembly.compile (median)' },
    { key: 'node_instantiate_ms', value: ms3(median(instantiate)), unit: 'ms', label: 'Node: initSync of a compiled module (median)' },
    { key: 'node_init_sync_ms', value: ms3(median(initSync)), unit: 'ms', label: 'Node: initSync from bytes, compile included (median)' },
    { key: 'node_import_ms', value: ms3(median(imports)), unit: 'ms', label: "Node: import('qingcloud-useradd') in a fresh process (median)", note: 'file read, compile, instantiate' },
    { key: 'node_first_calls_ms', value: ms3(median(firstCalls)), unit: 'ms', label: 'Node: first validate + first build after import (median)' },
  ];
}
