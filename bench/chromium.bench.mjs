// Start-up in headless Chromium (Debian's /usr/bin/chromium through playwright-core): a page
// served from a local static server on 127.0.0.1 imports the glue and awaits init(), which fetches
// and compiles the .wasm by streaming; measured in fresh browser contexts. Then, in one page,
// WebAssembly.compile and initSync of a compiled module, many times, as in the Node figures.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { median, ms3 } from './lib.mjs';

const pkgWeb = new URL('../pkg/web/', import.meta.url);
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const PAGE = `<!doctype html><meta charset="utf-8"><title>bench</title>
<script type="module">
${(await import('./lib.mjs')).uniqueModuleBytes.toString()}
window.uniqueModuleBytes = uniqueModuleBytes;
window.ready = true;
</script>`;

/** Serves the bench page at / and pkg/web at /pkg/, never cached. */
async function serve() {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    try {
      let body;
      let type;
      if (path === '/') {
        [body, type] = [PAGE, TYPES['.html']];
      } else if (path.startsWith('/pkg/') && !path.includes('..')) {
        body = await readFile(new URL(path.slice('/pkg/'.length), pkgWeb));
        type = TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
      } else {
        throw new Error('not found');
      }
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

export default async function ({ quick }) {
  const { server, url } = await serve();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const importGlue = [];
    const init = [];
    const firstCalls = [];
    for (let i = 0; i < (quick ? 3 : 15); i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${url}/`);
      await page.waitForFunction(() => window.ready === true);
      const [importMs, initMs, callMs] = await page.evaluate(async () => {
        const t = performance.now();
        const qc = await import('/pkg/qingcloud_useradd.js');
        const t0 = performance.now();
        await qc.default();
        const t1 = performance.now();
        const input = { cluster: 'cl-yxgxofd3', zone: 'pek3', userName: 'u', userPassword: 'Passw0rd!', userNetworks: '::1' };
        qc.validateClickHouseUser(input);
        qc.buildClickHouseAddUsersRequest(input, { accessKeyId: 'a', secretAccessKey: 'b' });
        return [t0 - t, t1 - t0, performance.now() - t1];
      });
      importGlue.push(importMs);
      init.push(initMs);
      firstCalls.push(callMs);
      await context.close();
    }

    const page = await browser.newPage();
    await page.goto(`${url}/`);
    await page.waitForFunction(() => window.ready === true);
    const { compile, instantiate } = await page.evaluate(async (n) => {
      const bytes = new Uint8Array(await (await fetch('/pkg/qingcloud_useradd_bg.wasm')).arrayBuffer());
      let serial = 0;
      const compile = [];
      for (let i = 0; i < n; i++) {
        const unique = window.uniqueModuleBytes(bytes, serial++);
        const t0 = performance.now();
        await WebAssembly.compile(unique);
        compile.push(performance.now() - t0);
      }
      const module = await WebAssembly.compile(window.uniqueModuleBytes(bytes, serial++));
      const instantiate = [];
      for (let i = 0; i < n; i++) {
        const glue = await import(`/pkg/qingcloud_useradd.js?instance=${serial++}`);
        const t0 = performance.now();
        glue.initSync({ module });
        instantiate.push(performance.now() - t0);
      }
      return { compile, instantiate };
    }, quick ? 5 : 40);
    const version = browser.version();
    return [
      { key: 'chromium_glue_import_ms', value: ms3(median(importGlue)), unit: 'ms', label: `Chromium ${version.split('.')[0]}: import of the glue in a fresh context (median)` },
      { key: 'chromium_init_ms', value: ms3(median(init)), unit: 'ms', label: 'Chromium: await init() (median, fresh context)', note: 'fetch over loopback, streaming compile, instantiate' },
      { key: 'chromium_first_calls_ms', value: ms3(median(firstCalls)), unit: 'ms', label: 'Chromium: first validate + first build after init (median)' },
      { key: 'chromium_compile_ms', value: ms3(median(compile)), unit: 'ms', label: 'Chromium: WebAssembly.compile (median)' },
      { key: 'chromium_instantiate_ms', value: ms3(median(instantiate)), unit: 'ms', label: 'Chromium: initSync of a compiled module (median)' },
    ];
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
