// Start-up in headless Chromium (Debian's /usr/bin/chromium through playwright-core): a page
// served from a local static server on 127.0.0.1 imports the glue and awaits init(), which fetches
// and compiles the .wasm by streaming; measured in fresh browser contexts. Then, in one page,
// WebAssembly.compile and initSync of a compiled module, many times, as in the Node figures.
import { withChromium } from './browser.mjs';
import { median, ms3 } from './lib.mjs';

const PAGE = `<!doctype html><meta charset="utf-8"><title>bench</title>
<script type="module">
${(await import('./lib.mjs')).uniqueModuleBytes.toString()}
window.uniqueModuleBytes = uniqueModuleBytes;
window.ready = true;
</script>`;

export default async function ({ quick }) {
  return withChromium({ '/': PAGE }, async ({ browser, url }) => {
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
  });
}
