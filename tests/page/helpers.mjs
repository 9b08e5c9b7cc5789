// Helpers for the console page tests: Debian's headless Chromium through playwright-core, a page
// that records its console, its CSP violations and every URL it requested, form fillers, and the
// Bulk tab's waits (the preview checked, the run ended) and counts.

import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DEMO, demoConfig, startSandbox } from '../support/sandbox.mjs';

export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A short random suffix of lowercase letters and digits. */
export function unique(length = 5) {
  return Math.random().toString(36).slice(2, 2 + length).padEnd(length, '0');
}

/**
 * A fresh context (empty storage) and a page on the sandbox, ready. The returned record collects
 * console messages, page errors, CSP violations and requested URLs.
 */
export async function openPage(browser, sandbox, { locale = 'en-US', viewport = { width: 1280, height: 900 }, contextOptions = {} } = {}) {
  const context = await browser.newContext({ locale, viewport, ...contextOptions });
  const page = await context.newPage();
  const record = { context, page, console: [], errors: [], urls: [], requests: [] };
  page.on('console', (message) => record.console.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => record.errors.push(String(error)));
  page.on('request', (request) => {
    record.urls.push(request.url());
    record.requests.push({ method: request.method(), url: request.url(), body: request.postData() ?? '' });
  });
  // Runs before the page's own scripts, outside its CSP.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await page.goto(`${sandbox.url}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  record.cspViolations = () => page.evaluate(() => window.__cspViolations);
  return record;
}

/**
 * The setup every page test file shares: one sandbox (jobs of `jobDelayMs`) and one browser for the
 * file, handed to `started({ sandbox, browser })` once they run, and the returned `page(options)`,
 * which opens a page (see openPage; `options.sandbox` serves it from another server); after each test, every page opened is checked for CSP violations and page
 * errors (and, with `quietConsole`, console errors and warnings) and closed.
 */
export function usePageFixture({ jobDelayMs = 300, quietConsole = false } = {}, started = () => {}) {
  let sandbox;
  let browser;
  const open = [];
  before(async () => {
    sandbox = await startSandbox({ config: demoConfig({ jobDelayMs }), args: ['--quiet'] });
    browser = await launch();
    started({ sandbox, browser });
  });
  after(async () => {
    await browser?.close();
    await sandbox?.stop();
  });
  afterEach(async () => {
    while (open.length) {
      const record = open.pop();
      // A test that closed its page (to cut a run off, say) checked it before closing.
      if (!record.page.isClosed()) assert.deepEqual(await record.cspViolations(), [], 'no Content-Security-Policy violation');
      assert.deepEqual(record.errors, [], 'no uncaught error');
      if (quietConsole) {
        // The browser's own line about an HTTP error status is expected where a test asks for one.
        const logged = record.console.filter((line) => /^(error|warning)/.test(line) && !/Failed to load resource/.test(line));
        assert.deepEqual(logged, [], 'no console error or warning');
      }
      await record.context.close();
    }
  });
  // `options.sandbox` opens the page on another server (a proxy, say) than the file's sandbox.
  return async function page({ sandbox: server = sandbox, ...options } = {}) {
    const record = await openPage(browser, server, options);
    open.push(record);
    return record;
  };
}

export async function fillSettings(page, { zone = DEMO.zone, accessKeyId = DEMO.accessKeyId, secret = DEMO.secretAccessKey } = {}) {
  await page.fill('#zone', zone);
  await page.fill('#access_key_id', accessKeyId);
  await page.fill('#secret_access_key', secret);
}

export async function showTab(page, name) {
  await page.getByRole('tab', { name, exact: true }).click();
}

export async function fillClickHouse(page, values) {
  const full = { cluster: DEMO.clickhouseCluster, user_name: `u_${unique()}`, user_password: 'Str0ng-passw0rd', user_networks: '10.0.0.0/8', ...values };
  for (const [name, value] of Object.entries(full)) await page.fill(`#clickhouse-form [name="${name}"]`, value);
  return full;
}

export async function fillEhpc(page, values) {
  const full = { cluster_id: DEMO.ehpcCluster, username: `e${unique()}`, password: 'kUISjs@kkkkkk!', mod: '', ...values };
  for (const [name, value] of Object.entries(full)) await page.fill(`#ehpc-form [name="${name}"]`, value);
  return full;
}

/** The newest submission's outcome. */
export function latestOutcome(page) {
  return page.locator('#outcomes [role="status"]').first();
}

/** Waits until the newest outcome is successful or failed, and returns its status. */
export async function finalStatus(page, timeout = 15_000) {
  const outcome = latestOutcome(page);
  await page.waitForFunction(() => {
    const element = document.querySelector('#outcomes [role="status"]');
    return element && ['successful', 'failed'].includes(element.dataset.jobStatus);
  }, null, { timeout });
  return outcome.getAttribute('data-job-status');
}

/** The API requests (not the page's files) the sandbox saw. */
export async function apiRequests(sandbox) {
  return (await sandbox.requests()).filter((r) => r.api === 'iaas' || r.api === 'ehpc');
}

/** The states a Bulk run ends in. */
const FINAL_STATES = ['done', 'cancelled', 'stopped', 'error', 'refused', 'nothing'];

/** Waits until the preview has checked every row, and returns its total. */
export async function previewReady(p, timeout = 15_000) {
  await p.waitForFunction(() => {
    const summary = document.getElementById('bulk-summary');
    return summary.dataset.state === 'ready' && summary.dataset.total !== undefined;
  }, null, { timeout });
  return Number(await p.getAttribute('#bulk-summary', 'data-total'));
}

/** Waits until the run has ended, and returns its final state. */
export async function runEnded(p, timeout = 30_000) {
  await p.waitForFunction((states) => states.includes(document.getElementById('bulk-run').dataset.state), FINAL_STATES, { timeout });
  return p.getAttribute('#bulk-run', 'data-state');
}

/** The Bulk tab's counts, by status. */
export async function bulkCounts(p) {
  return p.evaluate(() => Object.fromEntries([...document.querySelectorAll('#bulk-counts dd')]
    .map((dd) => [dd.dataset.count, Number(dd.dataset.value)])));
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core in the page and returns its serious and critical violations. The page's CSP
 * refuses injected <script> elements, so the source is evaluated through the DevTools protocol,
 * which the CSP does not govern; the page's own policy stays in force.
 */
export async function axeViolations(p) {
  await p.evaluate(AXE_SOURCE);
  const results = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
