// Hostile input on the page: injection strings typed into every field, and returned by the server
// as error messages and job failure reasons, must be shown as inert text — nothing executes, no
// element is created from them, and the Content-Security-Policy is never even tested.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, demoConfig } from '../support/sandbox.mjs';
import { launch, openPage, fillSettings, fillClickHouse, fillEhpc, showTab, finalStatus, latestOutcome } from './helpers.mjs';

// Each one, if it ever ran, would set window.__owned.
const HOSTILE = [
  '<script>window.__owned=1</script>',
  '<img src=x onerror="window.__owned=1">',
  '<svg onload="window.__owned=1">',
  '<svg><script>window.__owned=1</script></svg>',
  '<iframe src="javascript:parent.__owned=1"></iframe>',
  '<iframe srcdoc="<script>parent.__owned=1</script>"></iframe>',
  '<a href="javascript:window.__owned=1">x</a>',
  '<body onload="window.__owned=1">',
  '<details open ontoggle="window.__owned=1">',
  '<input autofocus onfocus="window.__owned=1">',
  '<video><source onerror="window.__owned=1"></video>',
  '<audio src=x onerror="window.__owned=1">',
  '<object data="javascript:window.__owned=1"></object>',
  '<embed src="javascript:window.__owned=1">',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__owned=1">',
  '<base href="//127.0.0.2/">',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__owned=1">',
  '<link rel="stylesheet" href="javascript:window.__owned=1">',
  '<style>@import "javascript:window.__owned=1";</style>',
  '<form action="javascript:window.__owned=1"><button>go</button></form>',
  '"><img src=x onerror="window.__owned=1">',
  "'><img src=x onerror='window.__owned=1'>",
  '</textarea><img src=x onerror="window.__owned=1">',
  '</title><img src=x onerror="window.__owned=1">',
  '</script><img src=x onerror="window.__owned=1">',
  '" onmouseover="window.__owned=1" x="',
  "' onfocus='window.__owned=1' autofocus '",
  '` onload=`window.__owned=1',
  'javascript:window.__owned=1',
  'JaVaScRiPt:window.__owned=1',
  'data:text/html,<script>window.__owned=1</script>',
  'vbscript:msgbox(1)',
  '&lt;img src=x onerror="window.__owned=1"&gt;',
  '&#60;img src=x onerror=&#34;window.__owned=1&#34;&#62;',
  '%3Cimg%20src%3Dx%20onerror%3D%22window.__owned%3D1%22%3E',
  '\\u003cimg src=x onerror=window.__owned=1\\u003e',
  '${window.__owned=1}',
  '{{constructor.constructor("window.__owned=1")()}}',
  '<%= window.__owned=1 %>',
  '[x](javascript:window.__owned=1)',
  '<<img src=x onerror="window.__owned=1">>',
  '<img/src=x/onerror=window.__owned=1>',
  '<img src=x onerror=window.__owned=1//',
  '<scr<script>ipt>window.__owned=1</scr</script>ipt>',
  '<!--<img src=x onerror="window.__owned=1">-->',
  '<![CDATA[<img src=x onerror="window.__owned=1">]]>',
  '\u202egnp.exe<img src=x onerror="window.__owned=1">',
  'zero\u200bwidth\u200d<img src=x onerror="window.__owned=1">',
  'ｓｃｒｉｐｔ＜img src=x onerror="window.__owned=1"＞',
  'null\u0000byte<img src=x onerror="window.__owned=1">',
  'line\nbreak<img src=x onerror="window.__owned=1">',
  '😀<img src=x onerror="window.__owned=1">😀',
  'a'.repeat(2000) + '<img src=x onerror="window.__owned=1">',
  '<noscript><p title="</noscript><img src=x onerror=window.__owned=1>">',
  '<template><img src=x onerror="window.__owned=1"></template>',
];

const DANGEROUS = 'script, img, svg, iframe, object, embed, base, meta, link, style, form, video, audio, math, template, a[href^="javascript" i]';

let sandbox;
let browser;
before(async () => {
  sandbox = await startSandbox({ config: demoConfig({ jobDelayMs: 50 }), args: ['--quiet'] });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/** Elements the page could have been tricked into making, outside <head>. */
const countDangerous = (page) => page.evaluate((selector) => document.body.querySelectorAll(selector).length, DANGEROUS);

async function assertInert(record, baseline) {
  const { page } = record;
  assert.equal(await page.evaluate(() => window.__owned), undefined, 'no injected code ran');
  assert.equal(await countDangerous(page), baseline, 'no element was made from input');
  assert.deepEqual(await record.cspViolations(), [], 'nothing even tried what the CSP forbids');
  assert.deepEqual(record.errors, [], 'no page error');
}

test(`at least 50 injection strings (${HOSTILE.length})`, () => {
  assert.ok(HOSTILE.length >= 50);
});

describe('typed into every field', () => {
  test('settings, ClickHouse and EHPC fields show every string inert', async () => {
    const record = await openPage(browser, sandbox);
    const { page } = record;
    const baseline = await countDangerous(page);
    const fields = {
      settings: ['#endpoint', '#zone', '#access_key_id', '#secret_access_key'],
      ClickHouse: ['cluster', 'user_name', 'user_password', 'user_networks'].map((n) => `#clickhouse-form [name="${n}"]`),
      EHPC: ['cluster_id', 'username', 'password', 'mod'].map((n) => `#ehpc-form [name="${n}"]`),
    };
    for (const [tab, selectors] of Object.entries(fields)) {
      if (tab !== 'settings') await showTab(page, tab);
      for (const selector of selectors) {
        for (const hostile of HOSTILE) {
          await page.fill(selector, hostile);
        }
        // Validation messages quote some values (networks, for one): the last string stays shown.
        await page.fill(selector, HOSTILE[1]);
      }
      await assertInert(record, baseline);
    }
    // Submitting with hostile values only shows validation errors: nothing is sent.
    await showTab(page, 'ClickHouse');
    await page.click('#clickhouse-form button[type="submit"]');
    await assertInert(record, baseline);
    const shown = await page.locator('#clickhouse-form').innerText();
    assert.ok(shown.includes('user_networks'), 'the errors are shown');
    await record.context.close();
  });
});

describe('returned by the server', () => {
  test('refusals and job failure reasons show every string inert', async () => {
    const record = await openPage(browser, sandbox);
    const { page } = record;
    const baseline = await countDangerous(page);
    let next = 0;
    // Every add is refused with the next hostile message, or accepted and its job fails with it.
    await page.route('**/iaas/**', async (route) => {
      const url = route.request().url();
      const body = route.request().postData() ?? '';
      const hostile = HOSTILE[next % HOSTILE.length];
      if (/action=DescribeJobs/.test(url + body)) {
        return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ action: 'DescribeJobsResponse', ret_code: 0, total_count: 1,
          job_set: [{ job_id: 'j-hostile1', job_action: 'RunClusterCustomService', status: 'failed', create_time: hostile, status_time: hostile, error_code: 2110, error_message: hostile }] }) });
      }
      next += 1;
      const answer = next % 2
        ? { ret_code: 1400, message: hostile }
        : { action: 'RunClusterCustomServiceResponse', cluster_id: hostile, job_id: 'j-hostile1', service: hostile, ret_code: 0 };
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) });
    });
    await fillSettings(page);
    await showTab(page, 'ClickHouse');
    for (let i = 0; i < HOSTILE.length; i++) {
      await fillClickHouse(page);
      await page.click('#clickhouse-form button[type="submit"]');
      await page.waitForFunction((count) => document.querySelectorAll('#outcomes [role="status"]').length >= count, i + 1);
      assert.equal(await finalStatus(page), 'failed');
    }
    const text = await page.locator('#outcomes').innerText();
    assert.ok(text.includes(HOSTILE[0]) && text.includes(HOSTILE[2]), 'messages are shown literally');
    await assertInert(record, baseline);
    // EHPC refusals too.
    await page.route('**/api/user/**', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ret_code: 2110, message: HOSTILE[4] }) }));
    await showTab(page, 'EHPC');
    await fillEhpc(page);
    await page.click('#ehpc-form button[type="submit"]');
    assert.equal(await finalStatus(page), 'failed');
    assert.ok((await latestOutcome(page).innerText()).includes(HOSTILE[4]));
    await assertInert(record, baseline);
    await record.context.close();
  });
});

describe('an answer past 4 MiB, in Chromium', () => {
  test('is a bad_response, and the package keeps working', async () => {
    const record = await openPage(browser, sandbox);
    const { page } = record;
    // 24 MiB of JSON white space: valid so far, and six times the bound.
    await page.route('**/huge/**', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: Buffer.alloc(24 << 20, 0x20) }));
    const outcome = await page.evaluate(async () => {
      const qc = await import('/pkg/qingcloud_useradd.js');
      const user = { clusterId: 'ehpc-8jqdq0mz', zone: 'jn1a', username: 'isabel', password: 'kUISjs@kkkkkk!' };
      const credentials = { accessKeyId: 'AK', secretAccessKey: 'SK' };
      let refused;
      try {
        await qc.addEhpcUser(user, credentials, { endpoint: `${location.origin}/huge` });
      } catch (error) {
        refused = `${error.code}: ${error.message}`;
      }
      return { refused, stillWorks: qc.validateEhpcUser(user).ok };
    });
    assert.match(outcome.refused ?? 'resolved', /^bad_response: .*longer than 4 MiB/);
    assert.equal(outcome.stillWorks, true);
    assert.deepEqual(record.errors, []);
    await record.context.close();
  });
});
