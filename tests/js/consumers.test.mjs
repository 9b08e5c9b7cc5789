// The package as a front-end developer meets it: packed with `npm pack`, installed into a fresh
// project (tests/consumers/, dependencies pinned by its lock file; see tests/support/consumer-project.mjs)
// and used there as the README says: Node ESM and CommonJS, strict tsc with bundler, node16 and a
// Node-only lib, a Vite build and the Vite dev server, esbuild and webpack 5, each page loaded in
// headless Chromium and adding a user against the sandbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { makeConsumerProject } from '../support/consumer-project.mjs';
import { startSandbox } from '../support/sandbox.mjs';

let project;
let api;
let browser;
let users = 0;
const userName = () => `consumer_${process.pid}_${++users}`;

before(async () => {
  project = makeConsumerProject();
  // The API for the Node scripts and the Vite dev server, which serves pages from its own origin.
  api = await startSandbox({ args: ['--allow-origin', '*', '--quiet'] });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await api?.stop();
  project?.remove();
});

const node = (script, args = []) => project.run(process.execPath, [script, ...args]);
const bin = (tool, args) => project.run(join(project.path, 'node_modules', '.bin', tool), args);

/** Whether the sandbox behind `sandbox` lists `name` as a user of the demo ClickHouse cluster. */
async function hasUser(sandbox, name) {
  return JSON.stringify(await sandbox.users()).includes(`"${name}"`);
}

/** Opens `url` in Chromium and answers what the page put in <body data-result>. */
async function pageResult(url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.body?.dataset.result, null, { timeout: 30_000 });
    return JSON.parse(await page.evaluate(() => document.body.dataset.result));
  } catch (error) {
    throw new Error(`${url}: ${error.message}\npage errors: ${errors.join('\n')}`);
  } finally {
    await page.close();
  }
}

/** Serves `dir` (and the API) from one sandbox; a user is added through `page`; answers its result. */
async function addUserThroughPage(dir, page = '') {
  const sandbox = await startSandbox({ args: ['--www', join(project.path, dir), '--quiet'] });
  try {
    const name = userName();
    const result = await pageResult(`${sandbox.url}/${page}?user=${name}`);
    assert.equal(result.status, 'successful', JSON.stringify(result));
    assert.ok(await hasUser(sandbox, name), `the sandbox has no user ${name}`);
    return result;
  } finally {
    await sandbox.stop();
  }
}

test('the tarball: one .wasm, a LICENSE, the links of its README, where the code lives', () => {
  const files = project.packed.files.map((file) => file.path);
  assert.deepEqual(files.filter((file) => file.endsWith('.wasm')), ['pkg/web/qingcloud_useradd_bg.wasm']);
  assert.ok(files.includes('LICENSE'));
  const installed = join(project.path, 'node_modules', 'qingcloud-useradd');
  assert.match(readFileSync(join(installed, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  for (const field of ['repository', 'homepage', 'bugs']) assert.ok(manifest[field], `package.json has no ${field}`);
  // Every relative link or image of the README names a file the package holds.
  const readme = readFileSync(join(installed, 'README.md'), 'utf8');
  const targets = [...readme.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map(([, target]) => target).filter((target) => !/^[a-z]+:/.test(target));
  assert.deepEqual(targets.filter((target) => !files.includes(target.replace(/^\.\//, ''))), []);
});

test('Node, ESM: the README example adds a user', async () => {
  const name = userName();
  const out = JSON.parse(node('node/esm.mjs', [api.url, name]));
  assert.deepEqual(out, { ok: true, jobId: out.jobId, status: 'successful' });
  assert.ok(await hasUser(api, name));
});

test('Node, CommonJS: require() adds a user', async () => {
  const name = userName();
  const out = JSON.parse(node('node/cjs.cjs', [api.url, name]));
  assert.deepEqual(out, { method: 'POST', jobId: out.jobId, status: 'successful' });
  assert.ok(await hasUser(api, name));
});

test('Node, /web before init(): a QingCloudError (thrown, or a rejection from the async calls), in the caller\'s language', () => {
  const out = JSON.parse(node('node/web-before-init.mjs'));
  assert.equal(out.syncBeforeInit.isQingCloudError, true);
  assert.equal(out.syncBeforeInit.code, 'not_initialized');
  assert.match(out.syncBeforeInit.message, /初始化.*validateClickHouseUser/);
  assert.equal(out.asyncBeforeInit.isQingCloudError, true);
  assert.equal(out.asyncBeforeInit.code, 'not_initialized');
  assert.match(out.asyncBeforeInit.message, /not initialized.*init\(\).*addClickHouseUser/);
  assert.equal(out.afterInit, true);
});

for (const config of ['bundler', 'node16', 'node-only']) {
  test(`tsc --strict (${config}): correct use type-checks and every wrong call is rejected`, () => {
    // types/*.ts mark each wrong call @ts-expect-error: tsc fails if one of them type-checks.
    bin('tsc', ['-p', `tsconfig.${config}.json`]);
  });
}

test('Vite build: the README example, bundled, adds a user in Chromium', async () => {
  project.run('npm', ['run', 'build:vite']);
  await addUserThroughPage('app/dist');
});

test('Vite dev server: the same page, unbundled, adds a user in Chromium', async () => {
  const { createServer } = await import(pathToFileURL(join(project.path, 'node_modules/vite/dist/node/index.js')).href);
  const root = join(project.path, 'app');
  const server = await createServer({ root, logLevel: 'error', server: { host: '127.0.0.1', port: 0, strictPort: true } });
  try {
    await server.listen();
    const name = userName();
    const result = await pageResult(`${server.resolvedUrls.local[0]}?endpoint=${encodeURIComponent(api.url)}&user=${name}`);
    assert.equal(result.status, 'successful', JSON.stringify(result));
    assert.ok(await hasUser(api, name));
    // The page got the package through Vite's dependency optimizer (which moves the glue away from
    // its .wasm), as a Vite user gets it by default.
    const optimized = JSON.parse(readFileSync(join(server.config.cacheDir, 'deps', '_metadata.json'), 'utf8')).optimized;
    assert.ok(optimized['qingcloud-useradd'], JSON.stringify(optimized));
  } finally {
    await server.close();
  }
});

test('webpack 5: the README example, bundled with no options, adds a user in Chromium', async () => {
  project.run('npm', ['run', 'build:webpack']);
  await addUserThroughPage('webpack', 'index.html');
});

test('esbuild: /web with the .wasm as a file adds a user in Chromium', async () => {
  project.run('npm', ['run', 'build:esbuild']);
  await addUserThroughPage('esbuild', 'index.html');
});

test('no bundler: /web by URL in a page and in a module worker', async () => {
  const { worker } = await addUserThroughPage('.', 'plain/index.html');
  assert.deepEqual(worker, { ok: false, codes: ['too_short'] });
});
