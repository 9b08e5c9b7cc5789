// The console page's languages, credential safety, accessibility (axe-core, keyboard only, focus),
// layout on a phone, and the screenshots saved as test artefacts (tests/page/artifacts/).

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEMO } from '../support/sandbox.mjs';
import * as i18n from '../../www/i18n.js';
import {
  ARTIFACTS, axeViolations, fillClickHouse, fillEhpc, fillSettings, finalStatus, latestOutcome, showTab, unique,
  usePageFixture,
} from './helpers.mjs';

const SECRET = DEMO.secretAccessKey;

const page = usePageFixture({ jobDelayMs: 300 });

describe('languages', () => {
  test('both dictionaries have the same keys and no empty string', () => {
    const [en, zh] = [i18n.dictionary('en'), i18n.dictionary('zh')];
    assert.deepEqual(Object.keys(zh), Object.keys(en));
    for (const text of [...Object.values(en), ...Object.values(zh)]) assert.ok(text.trim());
  });

  test('a Chinese browser gets the page in Chinese', async () => {
    const { page: p } = await page({ locale: 'zh-CN' });
    assert.equal(await p.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await p.inputValue('#lang'), 'zh');
    assert.equal(await p.locator('h1').innerText(), '青云用户控制台');
    assert.equal(await p.title(), '青云用户控制台');
  });

  test('switching to Chinese translates the page, the crate messages and the outcomes, and back', async () => {
    const { page: p } = await page();
    await fillSettings(p);
    const ch = await fillClickHouse(p);
    await p.click('#clickhouse-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'successful');
    await p.fill('#ch-user_name', '1abc');
    assert.match(await p.locator('#ch-user_name-msg').innerText(), /user_name must not start with a digit/);

    await p.selectOption('#lang', 'zh');
    assert.equal(await p.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await p.title(), '青云用户控制台');
    assert.equal(await p.locator('h1').innerText(), '青云用户控制台');
    assert.equal(await p.locator('#settings-heading').innerText(), '连接设置');
    assert.equal(await p.locator('label[for="ch-user_name"]').innerText(), '用户名');
    assert.equal(await p.locator('#clickhouse-form button[type="submit"]').innerText(), '添加 ClickHouse 用户');
    assert.equal(await p.locator('#clickhouse-form [data-action="toggle-password"]').innerText(), '显示');
    assert.equal(await p.getByRole('tab', { name: 'EHPC' }).count(), 1);
    assert.match(await p.locator('#ch-user_name-msg').innerText(), /user_name 不能以数字开头/);
    const outcome = latestOutcome(p);
    assert.match(await outcome.innerText(), new RegExp(`ClickHouse 用户 ${ch.user_name}（集群 cl-sandbox1）`));
    assert.match(await outcome.locator('.badge').innerText(), /成功/);
    // Every marked element shows its Chinese string.
    const zh = i18n.dictionary('zh');
    const marked = await p.locator('[data-i18n]').evaluateAll((elements) => elements.map((e) => [e.dataset.i18n, e.textContent]));
    assert.ok(marked.length > 40);
    for (const [key, text] of marked) assert.equal(text, zh[key], key);

    // Messages from the API come in Chinese too.
    await p.fill('#secret_access_key', 'wrong-secret');
    await p.fill('#ch-user_name', `u_${unique()}`);
    await p.click('#clickhouse-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'failed');
    assert.match(await latestOutcome(p).innerText(), /认证失败/);

    await p.selectOption('#lang', 'en');
    assert.equal(await p.locator('h1').innerText(), 'QingCloud user console');
    assert.match(await p.locator('#outcomes [role="status"]').nth(1).locator('.badge').innerText(), /Successful/);
  });
});

describe('credentials', () => {
  test('the secret never appears in the DOM, the URL, storage, requests or the console', async () => {
    const { page: p, console: lines, requests } = await page();
    await fillSettings(p);
    await p.check('#remember');
    await p.click('#clickhouse-form summary');
    await fillClickHouse(p);
    await p.click('#clickhouse-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'successful');
    await showTab(p, 'EHPC');
    await p.click('#ehpc-form summary');
    await fillEhpc(p, { username: 'admin' });
    await p.click('#ehpc-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'failed');
    await p.selectOption('#lang', 'zh');

    const html = await p.evaluate(() => document.documentElement.outerHTML);
    assert.ok(!html.includes(SECRET), 'not in the DOM');
    assert.equal(await p.getAttribute('#secret_access_key', 'value'), null);
    assert.equal(await p.getAttribute('#secret_access_key', 'type'), 'password');
    const texts = await p.evaluate(() => [...document.querySelectorAll('input, textarea')]
      .filter((e) => e.id !== 'secret_access_key').map((e) => e.value));
    assert.ok(texts.every((value) => !value.includes(SECRET)), 'in no other field');
    assert.ok(!p.url().includes(SECRET), 'not in the URL');
    const storage = await p.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
    assert.ok(!storage.includes(SECRET), 'not in storage');
    assert.ok(storage.includes(DEMO.accessKeyId) && storage.includes(DEMO.zone), 'remember keeps the key id and zone');
    for (const request of requests) {
      assert.ok(!request.url.includes(SECRET) && !request.body.includes(SECRET), `not sent: ${request.url}`);
    }
    assert.ok(lines.every((line) => !line.includes(SECRET)), 'not in the console');

    // Reloading restores what was remembered, never the secret.
    await p.reload();
    await p.waitForSelector('body[data-ready="true"]');
    assert.equal(await p.inputValue('#access_key_id'), DEMO.accessKeyId);
    assert.equal(await p.inputValue('#zone'), DEMO.zone);
    assert.equal(await p.inputValue('#secret_access_key'), '');
    assert.equal(await p.isChecked('#remember'), true);
    await p.uncheck('#remember');
    assert.equal(await p.evaluate(() => sessionStorage.length), 0, 'forgetting clears the storage');
  });
});

describe('accessibility', () => {
  test('axe-core finds no serious or critical violation, in any state or language', async () => {
    const { page: p } = await page();
    assert.deepEqual(await axeViolations(p), [], 'initial page');
    await p.click('#clickhouse-form button[type="submit"]');
    assert.deepEqual(await axeViolations(p), [], 'errors shown');
    await fillSettings(p);
    await fillClickHouse(p, { user_networks: '::/0;10.0.0.0/8;bad' });
    await p.click('#clickhouse-form summary');
    assert.deepEqual(await axeViolations(p), [], 'warnings and entries');
    await p.fill('#ch-user_networks', '10.0.0.0/8;::/0');
    assert.match(await p.locator('#clickhouse-form .preview-body').innerText(), /curl -X POST/);
    assert.deepEqual(await axeViolations(p), [], 'the preview');
    await p.fill('#ch-user_networks', '10.0.0.0/8');
    await p.click('#clickhouse-form button[type="submit"]');
    assert.equal(await finalStatus(p), 'successful');
    await p.fill('#secret_access_key', 'wrong');
    await p.click('#clickhouse-form button[type="submit"]');
    await p.waitForFunction(() => document.querySelectorAll('#outcomes [role="status"]').length === 2);
    assert.equal(await finalStatus(p), 'failed');
    await showTab(p, 'EHPC');
    await p.selectOption('#lang', 'zh');
    assert.deepEqual(await axeViolations(p), [], 'EHPC, outcomes, Chinese');
  });

  test('every control has a label, and every field names its messages with aria-describedby', async () => {
    const { page: p } = await page();
    const unlabelled = await p.evaluate(() => [...document.querySelectorAll('input, textarea, select, button')]
      .filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.textContent.trim()))
      .map((e) => e.id || e.outerHTML));
    assert.deepEqual(unlabelled, []);
    const fields = await p.evaluate(() => [...document.querySelectorAll('.field input:not([type=radio]):not([type=checkbox]), .field textarea')]
      .map((e) => [e.id, e.getAttribute('aria-describedby')]));
    assert.ok(fields.length >= 12);
    for (const [id, describedBy] of fields) assert.ok(describedBy?.split(' ').includes(`${id}-msg`), id);
  });

  test('usable by keyboard alone: tabs by arrow keys, a form filled and sent, focus on the outcome', async () => {
    const { page: p } = await page();
    await p.keyboard.press('Tab');
    assert.equal(await p.evaluate(() => document.activeElement.className), 'skip-link');
    const tabUntil = async (predicate, limit = 40) => {
      for (let i = 0; i < limit; i += 1) {
        if (await p.evaluate(predicate)) return;
        await p.keyboard.press('Tab');
      }
      assert.fail(`focus never reached ${predicate}`);
    };
    await tabUntil(() => document.activeElement.id === 'zone');
    await p.keyboard.type(DEMO.zone);
    await p.keyboard.press('Tab');
    await p.keyboard.type(DEMO.accessKeyId);
    await p.keyboard.press('Tab');
    await p.keyboard.type(SECRET);
    await tabUntil(() => document.activeElement.getAttribute('role') === 'tab');
    assert.equal(await p.evaluate(() => document.activeElement.id), 'tab-clickhouse');
    await p.keyboard.press('ArrowRight');
    assert.equal(await p.evaluate(() => document.activeElement.id), 'tab-ehpc');
    assert.equal(await p.getAttribute('#tab-ehpc', 'aria-selected'), 'true');
    assert.equal(await p.isVisible('#ehpc-form'), true);
    assert.equal(await p.isVisible('#clickhouse-form'), false);
    await p.keyboard.press('Home');
    assert.equal(await p.getAttribute('#tab-clickhouse', 'aria-selected'), 'true');
    await p.keyboard.press('End');
    assert.equal(await p.getAttribute('#tab-bulk', 'aria-selected'), 'true');
    await p.keyboard.press('ArrowLeft');
    assert.equal(await p.getAttribute('#tab-ehpc', 'aria-selected'), 'true');

    await tabUntil(() => document.activeElement.name === 'cluster_id');
    await p.keyboard.type(DEMO.ehpcCluster);
    await p.keyboard.press('Tab');
    await p.keyboard.type(`k${unique()}`);
    await p.keyboard.press('Tab');
    await p.keyboard.press('Tab');
    await p.keyboard.press('Tab');
    assert.equal(await p.evaluate(() => document.activeElement.dataset.action), 'generate-password');
    await p.keyboard.press('Enter');
    assert.match(await p.inputValue('#ehpc-password'), /^.{16}$/);
    await tabUntil(() => document.activeElement.name === 'mod');
    await p.keyboard.type('700');
    await p.keyboard.press('Enter');
    assert.equal(await p.evaluate(() => document.activeElement.getAttribute('role')), 'status', 'focus moves to the outcome');
    assert.equal(await finalStatus(p), 'successful');
  });

  test('on a phone-sized screen nothing scrolls sideways', async () => {
    const { page: p } = await page({ viewport: { width: 390, height: 844 } });
    await fillSettings(p);
    await fillClickHouse(p, { user_networks: '10.0.0.0/8;2001:db8:abcd:0012:0000:0000:0000:0000/64' });
    await p.click('#clickhouse-form summary');
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px too wide`);
    const width = await p.evaluate(() => document.documentElement.clientWidth);
    const sticking = await p.evaluate((limit) => [...document.querySelectorAll('main *')]
      .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > limit + 0.5)
      .map((e) => e.id || e.className || e.tagName), width);
    assert.deepEqual(sticking, [], 'nothing reaches past the right edge');
    await p.screenshot({ path: join(ARTIFACTS, 'phone-clickhouse-en.png'), fullPage: true });
  });
});

describe('screenshots', () => {
  // Both forms in both languages, filled in, with outcomes of both kinds in the history.
  for (const lang of ['en', 'zh']) {
    test(`both forms in ${lang === 'en' ? 'English' : 'Chinese'}`, async () => {
      // Reduced motion: no border caught mid-transition.
      const { page: p } = await page({ locale: lang === 'en' ? 'en-US' : 'zh-CN', contextOptions: { reducedMotion: 'reduce' } });
      const count = (n) => p.waitForFunction((k) => document.querySelectorAll('#outcomes [role="status"]').length === k, n);
      await fillSettings(p);
      await fillClickHouse(p, { user_name: 'default' });
      await p.click('#clickhouse-form button[type="submit"]');
      assert.equal(await finalStatus(p), 'failed');
      await fillClickHouse(p, { user_name: `report_${unique()}` });
      await p.click('#clickhouse-form button[type="submit"]');
      await count(2);
      assert.equal(await finalStatus(p), 'successful');
      await fillClickHouse(p, { user_name: 'dashboard', user_password: '', user_networks: '10.0.0.0/8\n192.168.10.0/24\n::/0' });
      await p.click('#clickhouse-form [data-action="generate-password"]');
      await p.evaluate(() => document.activeElement.blur());
      await p.mouse.move(0, 0);
      await p.screenshot({ path: join(ARTIFACTS, `clickhouse-${lang}.png`), fullPage: true });

      await showTab(p, 'EHPC');
      await fillEhpc(p, { username: 'admin', mod: '700' });
      await p.click('#ehpc-form button[type="submit"]');
      await count(3);
      assert.equal(await finalStatus(p), 'failed');
      await fillEhpc(p, { username: 'hpcuser', password: '', mod: '700' });
      await p.click('#ehpc-form [data-action="generate-password"]');
      await p.click('#ehpc-form summary');
      await p.evaluate(() => document.activeElement.blur());
      await p.mouse.move(0, 0);
      await p.screenshot({ path: join(ARTIFACTS, `ehpc-${lang}.png`), fullPage: true });
    });
  }
});
