// Resuming a Bulk run in the page, in headless Chromium against a sandbox with 200 ms jobs: a
// 300-row run whose page is closed while rows are in flight is resumed in a new page of the same
// browser (its IndexedDB journal survives), from the same file and with the secret entered again.
// Every row ends, each user exists once, the sandbox's users and request log agree with the counts,
// and no row whose answer the journal held is sent again. Also: another file or changed settings
// are refused, Discard forgets a run (not while another tab runs it), the journal never holds a
// password or the secret, and without IndexedDB, or with storage full, the tab works and says runs
// will not survive a reload.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO } from '../support/sandbox.mjs';
import { csvField } from '../../www/csv.js';
import {
  apiRequests, bulkCounts as counts, fillSettings, previewReady, runEnded, showTab, unique, usePageFixture,
} from './helpers.mjs';

const CH_HEADER = 'cluster,user_name,user_password,user_networks';

let sandbox;
const page = usePageFixture({ jobDelayMs: 200, quietConsole: true }, (ready) => ({ sandbox } = ready));

function usersCsv(tag, n) {
  const users = Array.from({ length: n }, (_, i) => ({ name: `rs${tag}_${i}`, password: `Pw,"${tag}"-${i}-resume` }));
  const text = `${CH_HEADER}\r\n${users.map((u) => [DEMO.clickhouseCluster, u.name, u.password, '10.0.0.0/8'].map((v) => csvField(v)).join(',')).join('\r\n')}\r\n`;
  return { users, text, file: { name: `users-${tag}.csv`, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') } };
}

/** Waits until the panel of kept runs shows an error matching `pattern`. */
async function journalSays(p, pattern) {
  await p.waitForFunction((source) => new RegExp(source).test(document.getElementById('bulk-journal-error').textContent), pattern.source, { timeout: 5_000 });
}

/** Everything the page's IndexedDB holds, as the page reads it. */
function readJournal(p) {
  return p.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('qingcloud-useradd');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['runs', 'blocks']);
      const out = {};
      tx.objectStore('runs').getAll().onsuccess = (event) => { out.runs = event.target.result; };
      tx.objectStore('blocks').getAll().onsuccess = (event) => { out.blocks = event.target.result; };
      tx.oncomplete = () => {
        db.close();
        resolve(out);
      };
    };
  }));
}

/** The journal's entries of run `id`, in row order. */
function entriesOf(dump, id) {
  return dump.blocks.filter((b) => b.runId === id).sort((a, b) => a.block - b.block).flatMap((b) => b.entries);
}

/** A second page in the same context as `record` (its IndexedDB), watched like the fixture's. */
async function samePlacePage(record) {
  const p = await record.context.newPage();
  const seen = { errors: [], console: [], requests: [] };
  p.on('pageerror', (error) => seen.errors.push(String(error)));
  p.on('console', (message) => seen.console.push(`${message.type()}: ${message.text()}`));
  p.on('request', (request) => seen.requests.push({ url: request.url(), body: request.postData() ?? '' }));
  await p.goto(`${sandbox.url}/`);
  await p.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  await showTab(p, 'Bulk');
  return { p, seen };
}

/** The user names of the add requests among `requests` (the page's, with their bodies). */
function addedNames(requests) {
  return requests.filter((r) => r.body.includes('action=RunClusterCustomService'))
    .map((r) => JSON.parse(new URLSearchParams(r.body).get('service_params')).user_name);
}

async function addsSeen() {
  return (await apiRequests(sandbox)).filter((r) => r.action === 'RunClusterCustomService').length;
}

async function clusterNames() {
  const overview = await sandbox.users();
  return (overview.clusters ?? overview).find((c) => c.cluster_id === DEMO.clickhouseCluster).users.filter((u) => u.created).map((u) => u.name);
}

/** Starts a run of `file` in a new page, and waits until the rows of `statuses` reach `min`. */
async function startRun(file, { statuses, min }) {
  const record = await page();
  const { page: p } = record;
  await fillSettings(p);
  await showTab(p, 'Bulk');
  await p.fill('#bulk-concurrency', '2');
  assert.equal(await p.isChecked('#bulk-concurrency-fixed'), true, 'typing a number chooses it');
  await p.setInputFiles('#bulk-file', file);
  await previewReady(p);
  await p.click('#bulk-start');
  await p.waitForFunction((wanted) => wanted.statuses
    .reduce((sum, status) => sum + Number(document.querySelector(`#bulk-counts dd[data-count="${status}"]`).dataset.value), 0) >= wanted.min,
  { statuses, min }, { timeout: 30_000, polling: 20 });
  return record;
}

/** Closes the page of `record`, cutting its run off; returns the counts at the close. */
async function closePage(record) {
  const atClose = await counts(record.page);
  assert.deepEqual(await record.cspViolations(), [], 'no Content-Security-Policy violation');
  await record.page.close();
  return atClose;
}

describe('resuming a run in the page', () => {
  test('a 300-row run closed mid-way is resumed in a new page: each user once, nothing answered sent again', async (t) => {
    const tag = unique();
    const { users, file } = usersCsv(tag, 300);
    await sandbox.reset();
    // 40 ms per request and two at once: the page can be closed with rows created, running and queued.
    await sandbox.setFaults({ latency_ms: 40 });
    const record = await startRun(file, { statuses: ['created'], min: 40 });
    const atClose = await closePage(record);
    t.diagnostic(`at the close: ${JSON.stringify(atClose)}`);
    assert.ok(atClose.queued > 0 && atClose.sent + atClose.sending > 0, 'rows were in flight and queued');
    // Requests the closed page had sent finish on the server.
    await new Promise((resolve) => { setTimeout(resolve, 500); });
    await sandbox.setFaults({});
    const firstAdds = await addsSeen();
    await sandbox.reset();

    const { p, seen } = await samePlacePage(record);
    const dump = await readJournal(p);
    assert.equal(dump.runs.length, 1);
    const [run] = dump.runs;
    const entries = entriesOf(dump, run.id);
    assert.equal(entries.length, 300);
    const text = JSON.stringify(dump);
    assert.ok(!text.includes(DEMO.secretAccessKey), 'the secret is not in the journal');
    assert.ok(!text.includes('-resume') && !text.includes('Pw,'), 'no password in the journal');
    assert.deepEqual({ kind: run.kind, endpoint: run.endpoint, zone: run.zone, accessKeyId: run.accessKeyId },
      { kind: 'clickhouse', endpoint: sandbox.url, zone: DEMO.zone, accessKeyId: DEMO.accessKeyId });
    assert.match(run.fingerprint, /^[0-9a-f]{64}$/);
    const answered = entries.filter((e) => ['created', 'exists'].includes(e.status) || e.jobId);
    const unanswered = entries.filter((e) => !answered.includes(e));
    const followed = entries.filter((e) => e.jobId && !['created', 'exists'].includes(e.status));
    t.diagnostic(`journal: ${answered.length} answered (${followed.length} jobs running), ${unanswered.length} not`);
    assert.ok(answered.length >= 40 && unanswered.length > 0);
    assert.ok(answered.length <= firstAdds, 'the journal claims no answer the server did not give');

    // The run is offered; resuming asks for the secret, which was not kept.
    const offered = p.locator('#bulk-journal-runs li');
    assert.equal(await offered.count(), 1);
    assert.match(await offered.innerText(), /of 300 rows done/);
    assert.match(await offered.innerText(), new RegExp(`zone ${DEMO.zone}, access key ID ${DEMO.accessKeyId}`));
    assert.equal(await p.inputValue('#secret_access_key'), '');
    await p.click('#bulk-journal-runs [data-action="resume"]');
    await journalSays(p, /Enter the secret access key/);
    assert.equal(await p.inputValue('#zone'), DEMO.zone, "the run's settings are filled in");
    assert.equal(await p.inputValue('#access_key_id'), DEMO.accessKeyId);
    await p.fill('#secret_access_key', DEMO.secretAccessKey);

    // Another file (one user name differs) is refused, and nothing is sent.
    const other = { ...file, buffer: Buffer.from(file.buffer.toString('utf8').replace(`rs${tag}_299,`, `rs${tag}_x,`), 'utf8') };
    let [chooser] = await Promise.all([p.waitForEvent('filechooser'), p.click('#bulk-journal-runs [data-action="resume"]')]);
    await chooser.setFiles(other);
    await journalSays(p, /not the file of this run/);
    assert.equal(await p.locator('#bulk-run').isHidden(), true, 'no run started');
    assert.equal((await apiRequests(sandbox)).length, 0, 'nothing was sent');

    // The settings changed while the file was chosen: refused, naming the setting.
    [chooser] = await Promise.all([p.waitForEvent('filechooser'), p.click('#bulk-journal-runs [data-action="resume"]')]);
    await p.fill('#zone', 'pek2');
    await chooser.setFiles(file);
    await journalSays(p, /settings differ from the run’s: Zone\./);
    assert.equal((await apiRequests(sandbox)).length, 0, 'nothing was sent');

    // Resume sets the run's settings again; the same file resumes the run.
    [chooser] = await Promise.all([p.waitForEvent('filechooser'), p.click('#bulk-journal-runs [data-action="resume"]')]);
    assert.equal(await p.inputValue('#zone'), DEMO.zone);
    assert.equal(await p.isChecked('#bulk-concurrency-auto'), true, 'Auto is the default');
    await chooser.setFiles(file);
    // Auto: the limit of the moment is shown while the run goes on.
    await p.waitForFunction(() => /^Requests at once now: \d+\.$/.test(document.getElementById('bulk-limit').textContent), null, { timeout: 15_000 });
    assert.equal(await runEnded(p, 60_000), 'done');
    assert.equal(await p.locator('#bulk-limit').innerText(), '', 'not once the run ended');
    const ended = await counts(p);
    t.diagnostic(`resumed: ${JSON.stringify(ended)}`);
    assert.equal(ended.created + ended.exists, 300, 'every row ends created or existing');

    // No row whose answer the journal held was sent again; every other row was sent once.
    const resent = addedNames(seen.requests);
    const answeredNames = new Set(answered.map((e) => e.userName));
    assert.deepEqual(resent.filter((name) => answeredNames.has(name)), [], 'answered rows are not sent again');
    assert.deepEqual([...resent].sort(), unanswered.map((e) => e.userName).sort(), 'each unanswered row is sent once');
    assert.equal(await addsSeen(), unanswered.length, "the sandbox's log agrees");

    // Rows the first page had sent without the answer reaching its journal meet "already exists"
    // (ret_code 2110): counted, not ignored.
    const keptExists = entries.filter((e) => e.status === 'exists').length;
    const resentExists = ended.exists - keptExists;
    t.diagnostic(`re-sent: ${unanswered.length}, of which ${resentExists} had reached the server before the close`);
    assert.ok(resentExists >= 0 && resentExists <= unanswered.length);
    // Every add of both pages created a user, or met one an earlier add had created.
    assert.equal(firstAdds + unanswered.length, 300 + resentExists, 'adds = users + adds that found their user');
    const names = await clusterNames();
    for (const u of users) assert.equal(names.filter((n) => n === u.name).length, 1, u.name);

    // The journal now holds a finished run, still without a password or the secret.
    const after = await readJournal(p);
    assert.ok(entriesOf(after, run.id).every((e) => ['created', 'exists'].includes(e.status)));
    assert.ok(!JSON.stringify(after).includes(DEMO.secretAccessKey));
    assert.ok(!JSON.stringify(after).includes('-resume'));
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.console.filter((line) => /^(error|warning)/.test(line)), []);
    await p.close();
  });

  test('Discard forgets an unfinished run, not while another tab runs it; finished runs are kept and can be discarded', async () => {
    const { file } = usersCsv(unique(), 60);
    await sandbox.setFaults({ latency_ms: 40 });
    const record = await startRun(file, { statuses: ['sent', 'created'], min: 4 });
    const { p } = await samePlacePage(record);
    // While the run goes on in the other page, this one neither resumes nor discards it.
    await fillSettings(p);
    await p.click('#bulk-journal-runs [data-action="resume"]');
    await journalSays(p, /going on in another tab/);
    await p.click('#bulk-journal-runs [data-action="discard"]');
    await journalSays(p, /going on in another tab/);
    assert.equal((await readJournal(p)).runs.length, 1);
    await closePage(record);
    await sandbox.setFaults({});
    await p.click('#bulk-journal-runs [data-action="discard"]');
    await p.waitForFunction(() => document.querySelectorAll('#bulk-journal-runs li').length === 0);
    const dump = await readJournal(p);
    assert.deepEqual([dump.runs.length, dump.blocks.length], [0, 0], 'the run and its rows are gone');
    assert.equal(await p.locator('#bulk-journal').isHidden(), true);

    // A run that ends is kept as finished, and Discard finished runs clears it.
    await p.setInputFiles('#bulk-file', usersCsv(unique(), 3).file);
    await previewReady(p);
    await p.click('#bulk-start');
    assert.equal(await runEnded(p), 'done');
    await p.waitForFunction(() => /1 finished runs are kept/.test(document.getElementById('bulk-journal-finished').textContent));
    await p.click('#bulk-discard-finished');
    await p.waitForFunction(() => document.getElementById('bulk-journal').hidden);
    assert.equal((await readJournal(p)).runs.length, 0);
    await p.close();
  });

  test('without IndexedDB the tab works, and says in its language that runs will not survive a reload', async () => {
    for (const [locale, tab, note] of [['en-US', 'Bulk', /will not survive a reload/], ['zh-CN', '批量', /任务无法继续/]]) {
      const record = await page({ locale });
      const { page: p, context } = record;
      await context.addInitScript(() => { Object.defineProperty(window, 'indexedDB', { value: undefined }); });
      await p.reload();
      await p.waitForSelector('body[data-ready="true"]');
      await fillSettings(p);
      await showTab(p, tab);
      await p.waitForFunction(() => document.getElementById('bulk-journal-note').textContent !== '');
      assert.match(await p.locator('#bulk-journal-note').innerText(), note);
      await p.setInputFiles('#bulk-file', usersCsv(unique(), 3).file);
      await previewReady(p);
      await p.click('#bulk-start');
      assert.equal(await runEnded(p), 'done');
      assert.equal((await counts(p)).created, 3);
    }
  });

  test('a journal that cannot be written (storage full) is said so, and the run goes on', async () => {
    const record = await page();
    const { page: p, context } = record;
    await context.addInitScript(() => {
      IDBObjectStore.prototype.put = () => { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
    });
    await p.reload();
    await p.waitForSelector('body[data-ready="true"]');
    await fillSettings(p);
    await showTab(p, 'Bulk');
    await p.setInputFiles('#bulk-file', usersCsv(unique(), 3).file);
    await previewReady(p);
    await p.click('#bulk-start');
    await p.waitForFunction(() => /could not be written/.test(document.getElementById('bulk-journal-note').textContent));
    assert.equal(await runEnded(p), 'done');
    assert.equal((await counts(p)).created, 3);
  });
});
