// The console page (www/) in headless Chromium against a sandbox started here: adding users,
// duplicates, every invalid input, authentication errors, the request preview, the password
// generator, and server answers rendered as text.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, demoConfig, DEMO } from '../support/sandbox.mjs';
import {
  apiRequests, fillClickHouse, fillEhpc, fillSettings, finalStatus, latestOutcome, showTab, usePageFixture,
} from './helpers.mjs';

let sandbox;
const page = usePageFixture({ jobDelayMs: 300, quietConsole: true }, (ready) => ({ sandbox } = ready));

describe('adding users', () => {
  test('a ClickHouse user and an EHPC user are added through the forms; each outcome reaches successful', async () => {
    const { page: p, requests } = await page();
    await fillSettings(p);

    const ch = await fillClickHouse(p, { user_networks: '10.0.0.0/8;\n192.168.1.20' });
    // Every status the outcome shows, in order.
    await p.evaluate(() => {
      window.__statuses = [];
      new MutationObserver((changes) => {
        for (const change of changes) {
          const status = change.target.dataset?.jobStatus;
          if (status && status !== window.__statuses.at(-1)) window.__statuses.push(status);
        }
      }).observe(document.getElementById('outcomes'), { subtree: true, childList: true, attributes: true, attributeFilter: ['data-job-status'] });
    });
    await p.click('#clickhouse-form button[type="submit"]');
    const outcome = latestOutcome(p);
    assert.equal(await outcome.evaluate((element) => element === document.activeElement), true, 'focus moves to the outcome');
    assert.equal(await finalStatus(p), 'successful');
    assert.match(await outcome.innerText(), /ClickHouse user u_\w+ on cl-sandbox1/);
    assert.match(await outcome.locator('.job-id').innerText(), /^j-[a-z0-9]+$/);
    assert.match(await outcome.innerText(), /The user was added/);
    const statuses = await p.evaluate(() => window.__statuses);
    assert.equal(statuses.at(-1), 'successful');
    assert.ok(statuses.includes('pending') || statuses.includes('working'), `followed live: ${statuses}`);
    assert.ok(statuses.every((s) => ['sending', 'pending', 'working', 'successful'].includes(s)), String(statuses));

    await showTab(p, 'EHPC');
    const ehpc = await fillEhpc(p, { mod: '750' });
    await p.click('#ehpc-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'successful');
    assert.match(await latestOutcome(p).innerText(), new RegExp(`EHPC user ${ehpc.username} on ehpc-sandbox1`));
    assert.equal(await p.locator('#outcomes [role="status"]').count(), 2, 'the history keeps both submissions');

    const users = JSON.stringify(await sandbox.users());
    assert.ok(users.includes(ch.user_name) && users.includes(ehpc.username), users);
    const seen = await apiRequests(sandbox);
    const add = seen.find((r) => r.action === 'RunClusterCustomService');
    assert.equal(add.method, 'POST', 'IaaS requests go as POST by default');
    assert.ok(seen.some((r) => r.action === 'HpcUserAddUser' && r.method === 'POST'));
    assert.ok(seen.some((r) => r.action === 'DescribeJobs'));
    for (const { url } of requests) {
      assert.ok(url.startsWith(`${sandbox.url}/`), `nothing from another origin: ${url}`);
      assert.ok(!url.includes(encodeURIComponent(ch.user_password)) && !url.includes('Str0ng'), `no password in ${url}`);
      assert.ok(!url.includes('kUISjs'), `no password in ${url}`);
    }
  });

  test('the GET setting sends ClickHouse requests as GET; EHPC stays POST', async () => {
    const { page: p } = await page();
    await fillSettings(p);
    await p.check('#method-get');
    await sandbox.reset();
    await fillClickHouse(p);
    await p.click('#clickhouse-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'successful');
    await showTab(p, 'EHPC');
    await fillEhpc(p);
    await p.click('#ehpc-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'successful');
    const seen = await apiRequests(sandbox);
    assert.ok(seen.filter((r) => r.api === 'iaas').every((r) => r.method === 'GET'), JSON.stringify(seen));
    assert.ok(seen.filter((r) => r.api === 'ehpc').every((r) => r.method === 'POST'));
  });

  test('adding the same user again ends failed, with the reason and the ret_code', async () => {
    const { page: p } = await page();
    await fillSettings(p);
    const ch = await fillClickHouse(p);
    await p.click('#clickhouse-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'successful');
    await p.click('#clickhouse-form button[type="submit"]');
    await p.waitForFunction(() => document.querySelectorAll('#outcomes [role="status"]').length === 2);
    assert.equal(await finalStatus(p), 'failed');
    const text = await latestOutcome(p).innerText();
    assert.match(text, /The user was not added/);
    assert.match(text, new RegExp(`${ch.user_name} already exists`));
    assert.match(text, /ret_code 2110/);

    // EHPC: the sandbox refuses an existing user name at once, without a job.
    await showTab(p, 'EHPC');
    await fillEhpc(p, { username: 'admin' });
    await p.click('#ehpc-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'failed');
    const ehpcText = await latestOutcome(p).innerText();
    assert.match(ehpcText, /The user was not added\. QingCloud refused the request/);
    assert.match(ehpcText, /already exists/);
    assert.match(ehpcText, /ret_code 2110/);
    assert.equal(await latestOutcome(p).locator('.job-id').count(), 0, 'no job');
  });

  test('a wrong secret shows the authentication error', async () => {
    const { page: p } = await page();
    await fillSettings(p, { secret: 'not-the-secret' });
    await fillClickHouse(p);
    await p.click('#clickhouse-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'failed');
    const text = await latestOutcome(p).innerText();
    assert.match(text, /authentication failed/i);
    assert.match(text, /ret_code 1200/);
    const seen = await apiRequests(sandbox);
    assert.equal(seen.at(-1).ret_code, 1200);
  });

  test('HTTP errors and lost connections are failed outcomes in plain words', async () => {
    const { page: p } = await page();
    let fault = 'http502';
    await p.route('**/iaas/', (route) => route.continue({ headers: { ...route.request().headers(), 'x-sandbox-fault': fault } }));
    await fillSettings(p);
    await fillClickHouse(p);
    await p.click('#clickhouse-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'failed');
    assert.match(await latestOutcome(p).innerText(), /The user was not added\. The server answered HTTP 502/);
    fault = 'drop';
    await p.click('#clickhouse-form button[type="submit"]');
    await p.waitForFunction(() => document.querySelectorAll('#outcomes [role="status"]').length === 2);
    assert.equal(await finalStatus(p), 'failed');
    assert.match(await latestOutcome(p).innerText(), /The outcome is not known: check the cluster’s users before trying again\. Could not reach the server/);
  });

  test('what a server says is shown as text, never as HTML', async () => {
    const { page: p } = await page();
    const hostile = '<img src=x onerror="window.__owned=1"><b>bold</b>';
    await p.route('**/iaas/', (route) => route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ ret_code: 1400, message: hostile }),
    }));
    await fillSettings(p);
    await fillClickHouse(p);
    await p.click('#clickhouse-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'failed');
    const outcome = latestOutcome(p);
    assert.ok((await outcome.innerText()).includes(hostile), 'the message is shown literally');
    assert.equal(await outcome.locator('img, b').count(), 0);
    assert.equal(await p.evaluate(() => window.__owned), undefined);
  });
});

describe('proxy mode', () => {
  test('served by a sandbox in proxy mode, the page reaches the upstream through its own origin', async () => {
    // The upstream stands in for QingCloud; the page only ever talks to the proxy.
    const upstream = await startSandbox({ config: demoConfig({ jobDelayMs: 300 }), args: ['--quiet'] });
    const proxy = await startSandbox({ args: ['--quiet', '--upstream-iaas', upstream.url, '--upstream-ehpc', upstream.url] });
    try {
      const record = await page({ sandbox: proxy });
      const p = record.page;
      await fillSettings(p);
      const ch = await fillClickHouse(p);
      await p.click('#clickhouse-form button[type="submit"]');
      assert.equal(await finalStatus(p), 'successful');
      await showTab(p, 'EHPC');
      const ehpc = await fillEhpc(p);
      await p.click('#ehpc-form button[type="submit"]');
      assert.equal(await finalStatus(p), 'successful');
      const users = JSON.stringify(await upstream.users());
      assert.ok(users.includes(ch.user_name) && users.includes(ehpc.username));
      assert.ok((await apiRequests(proxy)).every((r) => r.result === 'proxied'));
      assert.ok(record.urls.every((url) => url.startsWith(`${proxy.url}/`)));
    } finally {
      await proxy.stop();
      await upstream.stop();
    }
  });
});

describe('validation as you type', () => {
  // [form, field selector, value, the message the package shows]
  const cases = [
    ['clickhouse', 'cluster', 'cl-BAD', /cluster must be "cl-" followed by 8 lowercase letters or digits/],
    ['clickhouse', 'user_name', '1alice', /user_name must not start with a digit/],
    ['clickhouse', 'user_name', 'al ice', /user_name may contain only letters, digits and underscores/],
    ['clickhouse', 'user_password', '9password', /user_password must not start with a digit/],
    ['clickhouse', 'user_password', 'pass word', /user_password may contain only printable ASCII characters without spaces/],
    ['clickhouse', 'user_networks', '10.0.0.0/8; 10.0.0.0/33', /the prefix length of "10.0.0.0\/33" must be a number from 0 to 32/],
    ['clickhouse', 'user_networks', '10.0.0.0/8\nnope', /"nope" is not an IPv4 or IPv6 address or CIDR block/],
    ['clickhouse', 'user_networks', ' ; ', /user_networks is required/],
    ['ehpc', 'cluster_id', 'ehpc-12', /cluster_id must be "ehpc-" followed by 8 lowercase letters or digits/],
    ['ehpc', 'username', 'toolongname', /username must be at most 8 characters long/],
    ['ehpc', 'username', 'a-b', /username may contain only letters, digits and underscores/],
    ['ehpc', 'password', 'Short1!', /password must be at least 12 characters long/],
    ['ehpc', 'password', 'Password-with-dash1', /password may contain only letters, digits and the characters !@#%\^&\(\)\*/],
    ['ehpc', 'mod', '800', /mod must be three octal digits/],
  ];

  test('each invalid input shows its message beside the field, and submitting sends nothing', async () => {
    const { page: p } = await page();
    await fillSettings(p);
    for (const [form, field, value, message] of cases) {
      await showTab(p, form === 'ehpc' ? 'EHPC' : 'ClickHouse');
      if (form === 'ehpc') await fillEhpc(p, { [field]: value });
      else await fillClickHouse(p, { [field]: value });
      await sandbox.reset();
      const input = p.locator(`#${form}-form [name="${field}"]`);
      const id = await input.getAttribute('id');
      const box = p.locator(`#${id}-msg`);
      assert.match(await box.innerText(), message, `${field}=${JSON.stringify(value)}`);
      assert.equal(await input.getAttribute('aria-invalid'), 'true');
      assert.ok((await input.getAttribute('aria-describedby')).split(' ').includes(`${id}-msg`));
      await p.click(`#${form}-form button[type="submit"]`);
      assert.match(await p.locator(`#${form}-form .form-status`).innerText(), /Fix the highlighted field/);
      assert.equal(await input.evaluate((element) => element === document.activeElement), true, 'focus goes to the field');
      assert.equal(await p.locator('#outcomes [role="status"]').count(), 0);
      assert.deepEqual(await apiRequests(sandbox), [], `nothing was sent for ${field}=${JSON.stringify(value)}`);
    }
  });

  test('the zone, endpoint, access key id and secret are checked too', async () => {
    const { page: p } = await page();
    await fillClickHouse(p);
    await sandbox.reset();
    await p.click('#clickhouse-form button[type="submit"]');
    assert.match(await p.locator('#zone-msg').innerText(), /zone is required/);
    assert.match(await p.locator('#access_key_id-msg').innerText(), /Enter the access key ID/);
    assert.match(await p.locator('#secret_access_key-msg').innerText(), /Enter the secret access key/);
    assert.equal(await p.evaluate(() => document.activeElement.id), 'zone', 'focus goes to the first invalid field');
    await fillSettings(p, { zone: 'PEK3' });
    assert.match(await p.locator('#zone-msg').innerText(), /zone must be a zone ID/);
    await p.fill('#endpoint', 'ftp://example.com');
    assert.match(await p.locator('#endpoint-msg').innerText(), /http:\/\/ or https:\/\//);
    await p.click('#clickhouse-form button[type="submit"]');
    assert.deepEqual(await apiRequests(sandbox), []);
    assert.equal(await p.locator('#outcomes [role="status"]').count(), 0);
  });

  test('networks are checked one by one; the all-networks preset shows its warning but is allowed', async () => {
    const { page: p } = await page();
    await fillSettings(p);
    await fillClickHouse(p, { user_networks: '10.0.0.0/8;bad\n::1' });
    const entries = p.locator('#ch-user_networks-entries li');
    assert.equal(await entries.count(), 3);
    assert.deepEqual(await entries.evaluateAll((items) => items.map((li) => li.className)),
      ['entry entry-ok', 'entry entry-bad', 'entry entry-ok']);
    await p.click('#clickhouse-form [data-action="all-networks"]');
    assert.equal(await p.inputValue('#ch-user_networks'), '::/0');
    assert.match(await p.locator('#ch-user_networks-msg').innerText(), /"::\/0" lets every network connect with this account/);
    assert.equal(await p.getAttribute('#ch-user_networks', 'aria-invalid'), null, 'a warning does not block');
    await p.click('#clickhouse-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'successful');
  });
});

describe('passwords and the preview', () => {
  test('the generator meets each policy and differs every time; show and hide work', async () => {
    const { page: p } = await page();
    const seen = new Set();
    for (const [tab, form, field, pattern] of [
      ['ClickHouse', 'clickhouse', 'user_password', /^[A-Za-z][\x21-\x7e]{19}$/],
      ['EHPC', 'ehpc', 'password', /^[A-Za-z][A-Za-z0-9!@#%^&()*]{15}$/],
    ]) {
      await showTab(p, tab);
      const input = p.locator(`#${form}-form [name="${field}"]`);
      assert.equal(await input.getAttribute('type'), 'password');
      for (let i = 0; i < 5; i += 1) {
        await p.click(`#${form}-form [data-action="generate-password"]`);
        const value = await input.inputValue();
        assert.match(value, pattern);
        for (const cls of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/]) assert.match(value, cls);
        assert.equal(await input.getAttribute('aria-invalid'), null);
        seen.add(value);
      }
      assert.equal(await input.getAttribute('type'), 'text', 'a generated password is shown');
      const toggle = p.locator(`#${form}-form [data-action="toggle-password"]`);
      assert.equal(await toggle.innerText(), 'Hide');
      await toggle.click();
      assert.equal(await input.getAttribute('type'), 'password');
      assert.equal(await toggle.innerText(), 'Show');
    }
    assert.equal(seen.size, 10);
  });

  test('the preview shows method, URL, body and curl with the signature and every secret redacted', async () => {
    const { page: p } = await page();
    await sandbox.reset();
    await fillSettings(p);
    await p.click('#clickhouse-form summary');
    // The preview is drawn on the details' toggle event, which comes after the click.
    await p.locator('#clickhouse-form .preview-body').getByText(/Complete the form/).waitFor();
    assert.match(await p.locator('#clickhouse-form .preview-body').innerText(), /Complete the form/);
    const ch = await fillClickHouse(p, { user_password: 'Pr3view-secret!' });
    const body = p.locator('#clickhouse-form .preview-body');
    let text = await body.innerText();
    assert.match(text, /POST/);
    assert.ok(text.includes(`${sandbox.url}/iaas/`));
    assert.match(text, /service_params=/);
    assert.match(text, /signature=REDACTED/);
    assert.match(text, /curl -X POST/);
    assert.ok(!text.includes(ch.user_password) && !text.includes(encodeURIComponent(ch.user_password)));
    assert.ok(!text.includes(DEMO.secretAccessKey));

    await p.check('#method-get');
    text = await body.innerText();
    assert.match(text, /curl -X GET/);
    assert.match(text, /\/iaas\/\?[^\n]*signature=REDACTED/);

    await showTab(p, 'EHPC');
    await p.click('#ehpc-form summary');
    await fillEhpc(p, { password: 'Ehpc@preview12' });
    text = await p.locator('#ehpc-form .preview-body').innerText();
    assert.match(text, /POST/);
    assert.match(text, /\/api\/user\/addUser\?/);
    assert.match(text, /"password": "REDACTED"/);
    assert.ok(!text.includes('Ehpc@preview12'));
    assert.deepEqual(await apiRequests(sandbox), [], 'a preview sends nothing');
  });

  test('the curl command can be copied', async () => {
    const { page: p, context } = await page();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: sandbox.url });
    await fillSettings(p);
    await fillClickHouse(p);
    await p.click('#clickhouse-form summary');
    // The clipboard needs a focused document.
    await p.bringToFront();
    await p.click('#clickhouse-form [data-action="copy-curl"]');
    await p.waitForFunction(() => /^(Copied|Could not copy)/.test(document.getElementById('announcer').textContent));
    assert.equal(await p.locator('#announcer').innerText(), 'Copied.');
    const copied = await p.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /^curl -X POST '/);
    assert.ok(copied.includes('REDACTED'));
  });
});
