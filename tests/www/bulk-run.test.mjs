// bulk-run.js driven by a stand-in of the package's bulk call (rows sent `concurrency` at a time,
// a tick each; an aborted signal leaves the unsent rows `not_sent`, as the package does): chunks,
// pause, cancel, a stop on refused credentials, Retry, a rejected call, what each control may do,
// and the results file.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createSheet } from '../../www/bulk-rows.js';
import { controls, createRun, resultLines, STATUSES } from '../../www/bulk-run.js';
import { parseCsv, toCsv } from '../../www/csv.js';

const breathe = () => new Promise((resolve) => { setImmediate(resolve); });
const tick = () => new Promise((resolve) => { setTimeout(resolve, 1); });

/** The package's validators, as far as these tests need: a name starting with "bad" is invalid. */
const fakeApi = {
  validateClickHouseUser: (input) => ({
    errors: input.userName.startsWith('bad') ? [{ field: 'user_name', code: 'invalid_characters', message: 'user_name is bad.' }] : [],
    warnings: [],
  }),
};

async function sheetOf(names) {
  const sheet = createSheet({ api: fakeApi, breathe });
  sheet.source = { type: 'text', name: '', text: `user_name,user_password,user_networks\n${names.map((n) => `${n},Pw-${n}-secret,::1`).join('\n')}\n` };
  await sheet.check({ lang: 'en', zone: 'pek3', defaultCluster: 'cl-abcdefgh' });
  return sheet;
}

const names = (n, prefix = 'u') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/**
 * A stand-in for `send` (bulk-send.js): `outcome(i)` is the final row of run row `i` (created by
 * default). `calls` holds each call's indexes, `sent` every row index that went out.
 */
function fakeSender({ concurrency = 4, outcome = () => ({ status: 'created' }), reject = null } = {}) {
  const record = { calls: [], sent: [], inFlight: 0 };
  record.send = async (indexes, { signal, onProgress }) => {
    record.calls.push(indexes);
    if (reject) throw reject;
    const results = indexes.map((_, k) => ({ index: k, status: 'not_sent', note: 'Not sent: the run was cancelled.' }));
    let queued = indexes.length;
    let sending = 0;
    let next = 0;
    const event = (row) => onProgress({ queued, sending, row });
    const worker = async () => {
      while (next < indexes.length && !signal.aborted) {
        const k = next;
        next += 1;
        queued -= 1;
        sending += 1;
        record.inFlight += 1;
        event({ index: k, status: 'sending' });
        await tick();
        sending -= 1;
        record.inFlight -= 1;
        record.sent.push(indexes[k]);
        results[k] = { index: k, jobId: `j-${indexes[k]}`, ...outcome(indexes[k]) };
        event(results[k]);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    for (let k = next; k < indexes.length; k += 1) {
      queued -= 1;
      event(results[k]);
    }
    return { results };
  };
  return record;
}

function ended(run) {
  return new Promise((resolve) => {
    if (!run.active() && run.state !== 'ready') resolve(run.state);
    run.subscribe((event) => { if (event.type === 'state' && !run.active()) resolve(run.state); });
  });
}

function until(run, predicate) {
  return new Promise((resolve) => {
    const unsubscribe = run.subscribe(() => {
      if (predicate()) {
        unsubscribe();
        resolve();
      }
    });
  });
}

const total = (counts) => STATUSES.reduce((sum, s) => sum + counts[s], 0);

describe('a run', () => {
  test('450 rows in chunks of 200, merged in input order; row events tell each change', async () => {
    const sheet = await sheetOf(names(450));
    const run = createRun(sheet, { skip: false });
    assert.equal(run.state, 'ready');
    const fake = fakeSender({ concurrency: 8 });
    const events = [];
    run.subscribe((event) => events.push(event));
    const done = ended(run);
    run.launch(fake.send);
    assert.equal(await done, 'done');
    assert.deepEqual(fake.calls.map((c) => c.length), [200, 200, 50]);
    assert.deepEqual(fake.calls.flat(), names(450).map((_, i) => i), 'every row once, in order');
    assert.equal(run.counts.created, 450);
    assert.equal(total(run.counts), 450);
    assert.deepEqual(run.info[449], { jobId: 'j-449', retCode: undefined, error: undefined, note: undefined });
    const rowEvents = events.filter((e) => e.type === 'row');
    assert.equal(new Set(rowEvents.map((e) => e.index)).size, 450, 'every row told');
    assert.deepEqual(events.filter((e) => e.type === 'state').length, 2, 'running, done');
    assert.ok(run.timing().took >= 0);
    assert.equal(controls(sheet, run).again, true, 'these rows were run');
    assert.equal(controls(sheet, run).start, false);
  });

  test('invalid rows: refused by default, nothing sent; skipped with skip', async () => {
    const sheet = await sheetOf(['a', 'bad1', 'b', 'bad2']);
    const refused = createRun(sheet, { skip: false });
    assert.equal(refused.state, 'refused');
    assert.deepEqual(refused.status, ['not_sent', 'invalid', 'not_sent', 'invalid']);
    assert.match(refused.info[0].note, /other rows are invalid/);
    assert.equal(refused.info[1].error.message, 'user_name is bad.');
    assert.equal(refused.sent(), false);
    assert.equal(refused.timing(), null);
    assert.deepEqual(controls(sheet, refused), {
      busy: false, start: true, again: false, pause: false, resumes: false, cancel: false, edit: true, download: true, retry: 0,
    }, 'a run that sent nothing leaves the rows to start again');

    const run = createRun(sheet, { skip: true });
    const fake = fakeSender();
    const done = ended(run);
    run.launch(fake.send);
    assert.equal(await done, 'done');
    assert.deepEqual(fake.sent.sort(), [0, 2]);
    assert.deepEqual(run.status, ['created', 'invalid', 'created', 'invalid']);
    assert.equal(createRun(await sheetOf(['bad1']), { skip: true }).state, 'nothing');
  });

  test('pause: rows in flight finish, nothing more is sent until Resume; each row is sent once', async () => {
    const sheet = await sheetOf(names(300));
    const run = createRun(sheet, { skip: false });
    const fake = fakeSender({ concurrency: 2 });
    const done = ended(run);
    run.launch(fake.send);
    await until(run, () => run.counts.created >= 20);
    assert.equal(controls(sheet, run).pause, true);
    run.pause();
    assert.equal(run.state, 'pausing');
    assert.equal(controls(sheet, run).resumes, true);
    await until(run, () => run.state === 'paused');
    const sentWhenPaused = fake.sent.length;
    await new Promise((resolve) => { setTimeout(resolve, 50); });
    assert.equal(fake.sent.length, sentWhenPaused, 'nothing sent while paused');
    assert.equal(fake.inFlight, 0);
    assert.equal(run.counts.queued, 300 - sentWhenPaused, 'the unsent rows are queued again');
    assert.equal(run.counts.not_sent, 0);
    assert.equal(run.timing(), null, 'no estimate while paused');
    run.pause();
    assert.equal(run.state, 'running');
    assert.equal(await done, 'done');
    assert.equal(run.counts.created, 300);
    assert.deepEqual([...fake.sent].sort((a, b) => a - b), names(300).map((_, i) => i), 'each row sent exactly once');
  });

  test('cancel: the queued rows are not sent, with a note; sent rows keep their outcome', async () => {
    const sheet = await sheetOf(names(300));
    const run = createRun(sheet, { skip: false });
    const fake = fakeSender({ concurrency: 2 });
    const done = ended(run);
    run.launch(fake.send);
    await until(run, () => run.counts.created >= 210);
    run.cancel();
    assert.equal(run.state, 'cancelling');
    assert.equal(controls(sheet, run).cancel, false);
    assert.equal(await done, 'cancelled');
    assert.equal(total(run.counts), 300);
    assert.equal(run.counts.created, fake.sent.length);
    assert.equal(run.counts.not_sent, 300 - fake.sent.length);
    const firstNotSent = run.status.indexOf('not_sent');
    assert.equal(run.status.lastIndexOf('created') + 1, firstNotSent, 'sent in order');
    assert.match(run.info[firstNotSent].note, /cancelled/);
    assert.match(run.info[299].note, /^Not sent: the run was cancelled/, 'a row of a later chunk: the page says why');
  });

  test('refused credentials stop the run; Retry sends only the failed and unsent rows, in the same run', async () => {
    const sheet = await sheetOf(names(40));
    const run = createRun(sheet, { skip: false });
    const refused = fakeSender({
      concurrency: 2,
      outcome: () => ({ status: 'failed', retCode: 1200, error: { code: 'api_error', message: 'Authentication failed.', retCode: 1200 } }),
    });
    const stopped = ended(run);
    run.launch(refused.send);
    assert.equal(await stopped, 'stopped');
    assert.equal(run.reasonMessage, 'Authentication failed.');
    assert.ok(run.counts.failed >= 1 && run.counts.failed <= 4, JSON.stringify(run.counts));
    assert.equal(run.counts.failed + run.counts.not_sent, 40);
    assert.match(run.info[39].note, /^Not sent/, 'the package says why');
    assert.equal(controls(sheet, run).retry, 40);

    // Row 0 was created meanwhile: the package reports it as existing.
    const fixed = fakeSender({ concurrency: 4, outcome: (i) => ({ status: i === 0 ? 'exists' : 'created' }) });
    run.retry(fixed.send);
    const done = ended(run);
    assert.equal(run.state, 'running');
    assert.equal(run.reasonMessage, undefined);
    assert.equal(await done, 'done');
    assert.deepEqual([run.counts.created, run.counts.exists, total(run.counts)], [39, 1, 40]);
    assert.equal(fixed.sent.length, 40);
    assert.equal(controls(sheet, run).retry, 0, 'nothing left to retry');
    sheet.version += 1;
    assert.equal(controls(sheet, run).start, true, 'changed rows can start again');
  });

  test('a rejected call fails its unsent rows and stops the run with its message', async () => {
    const sheet = await sheetOf(names(3));
    const run = createRun(sheet, { skip: false });
    const done = ended(run);
    run.launch(fakeSender({ reject: { code: 'invalid_options', message: 'endpoint is not a URL.' } }).send);
    assert.equal(await done, 'error');
    assert.deepEqual(run.status, ['failed', 'failed', 'failed']);
    assert.equal(run.info[0].error.code, 'invalid_options');
    assert.equal(run.reasonMessage, 'endpoint is not a URL.');
  });

  test('while checking, Start waits; during a run nothing but Pause and Cancel is enabled', async () => {
    const sheet = await sheetOf(names(5));
    assert.deepEqual(controls(sheet, null), {
      busy: false, start: true, again: false, pause: false, resumes: false, cancel: false, edit: true, download: false, retry: 0,
    });
    sheet.invalidate();
    assert.equal(controls(sheet, null).start, false);
    await sheet.check({ lang: 'en', zone: 'pek3', defaultCluster: 'cl-abcdefgh' });
    const run = createRun(sheet, { skip: false });
    const done = ended(run);
    run.launch(fakeSender().send);
    assert.deepEqual(controls(sheet, run), {
      busy: true, start: false, again: false, pause: true, resumes: false, cancel: true, edit: false, download: false, retry: 0,
    });
    await done;
  });
});

describe('the results file', () => {
  test('one line per row, no password, and the formula guard on every value', async () => {
    const sheet = await sheetOf(['a', '=cmd', 'bad1']);
    const run = createRun(sheet, { skip: true });
    const fake = fakeSender({ outcome: (i) => (i === 0 ? { status: 'created' } : { status: 'failed', error: { code: 'api_error', message: '@server says no' }, retCode: 5100 }) });
    const done = ended(run);
    run.launch(fake.send);
    await done;
    const lines = resultLines(run);
    assert.deepEqual(lines[0], ['index', 'cluster', 'user_name', 'status', 'job_id', 'ret_code', 'error', 'note']);
    assert.deepEqual(lines.slice(1), [
      [1, 'cl-abcdefgh', 'a', 'created', 'j-0', '', '', ''],
      [2, 'cl-abcdefgh', '=cmd', 'failed', 'j-1', 5100, '@server says no', ''],
      [3, 'cl-abcdefgh', 'bad1', 'invalid', '', '', 'user_name is bad.', ''],
    ]);
    const file = toCsv(lines, { safe: true });
    assert.ok(!file.includes('secret'), 'no password');
    const read = parseCsv(file).map((r) => r.fields);
    assert.equal(read[2][2], "'=cmd");
    assert.equal(read[2][6], "'@server says no");
    assert.equal(read[2][5], '5100');
  });
});
