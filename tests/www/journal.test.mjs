// journal.js on its own, over runs of bulk-run.js driven by hand: what a record holds (never a
// password), coalesced writes with a job id written promptly, entries that never run ahead of
// their row, what is unfinished and when a finished run expires (an injected clock), the blocks
// the store keeps, the `previous` of a call, and the checks before resuming.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createSheet } from '../../www/bulk-rows.js';
import { createRun } from '../../www/bulk-run.js';
import { MAX_FILE_BYTES } from '../../www/csv.js';
import {
  BLOCK_ROWS, blocks, chunkPrevious, expired, fileFingerprint, fingerprint, FLUSH_MS, fromStore, PROMPT_FLUSH_MS, KEEP_FINISHED_MS,
  newRecord, progress, recordRun, sameRows, settingsDiffer, unfinished,
} from '../../www/journal.js';

const breathe = () => new Promise((resolve) => { setImmediate(resolve); });
const fakeApi = { validateClickHouseUser: () => ({ errors: [], warnings: [] }) };
const SETTINGS = { endpoint: 'http://127.0.0.1:8080', endpointText: 'http://127.0.0.1:8080/', zone: 'pek3', accessKeyId: 'AKID', method: 'POST' };

async function sheetOf(text) {
  const sheet = createSheet({ api: fakeApi, breathe });
  sheet.source = { type: 'text', name: '', text };
  await sheet.check({ lang: 'en', zone: 'pek3', defaultCluster: 'cl-abcdefgh' });
  return sheet;
}

const usersText = (n) => `user_name,user_password,user_networks\n${Array.from({ length: n }, (_, i) => `u${i},Secret-pw-${i},::1`).join('\n')}\n`;

/** A clock and timers driven by the test: advance(ms) runs the timers due. */
function fakeTime() {
  let now = 1_000_000;
  let next = 1;
  const due = new Map();
  return {
    now: () => now,
    timers: {
      setTimeout: (fn, ms) => { due.set(next, { at: now + ms, fn }); return next++; },
      clearTimeout: (id) => due.delete(id),
    },
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        const [id, timer] = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
        if (!timer || timer.at > end) break;
        due.delete(id);
        now = timer.at;
        timer.fn();
        await breathe();
      }
      now = end;
    },
  };
}

/** A run of `n` rows and its record, followed by a recorder whose writes land in `writes`. */
async function recorded(n, { save } = {}) {
  const sheet = await sheetOf(usersText(n));
  const run = createRun(sheet, { skip: false });
  const time = fakeTime();
  const record = newRecord({ id: 'run-1', run, source: { name: 'users.csv', fingerprint: 'ab'.repeat(32) }, settings: SETTINGS, options: { defaultCluster: 'cl-abcdefgh', skip: false }, now: time.now() });
  const writes = [];
  const errors = [];
  const recorder = recordRun(run, record, {
    save: save ?? (async (head, stored) => { writes.push({ head: structuredClone(head), blocks: structuredClone(stored) }); }),
    onError: (error) => errors.push(error),
    now: time.now,
    timers: time.timers,
  });
  return { sheet, run, record, time, writes, errors, recorder };
}

/**
 * Launches `run` with a stand-in of the package's call, and returns what drives run row `i` as a
 * progress event would. When the run is cancelled, rows not yet sent end `not_sent`, others `failed`.
 */
function progressOf(run) {
  let listener;
  const send = (indexes, { onProgress, signal }) => {
    listener = (i, row) => onProgress({ queued: 1, sending: 1, row: { ...row, index: indexes.indexOf(i) } });
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => resolve({
        results: indexes.map((i, k) => ({ index: k, status: run.status[i] === 'queued' ? 'not_sent' : 'failed' })),
      }));
    });
  };
  run.launch(send);
  return (i, row) => listener(i, row);
}

test('a record holds the run, its settings and each row; never a password or the secret', async () => {
  const { record, writes, time } = await recorded(3);
  assert.deepEqual(Object.keys(record).sort(), ['accessKeyId', 'createdAt', 'defaultCluster', 'endpoint', 'fileName', 'fingerprint', 'id', 'kind', 'rows', 'skip', 'updatedAt', 'zone']);
  assert.deepEqual(record.rows[1], { index: 1, cluster: 'cl-abcdefgh', userName: 'u1', status: 'queued' });
  await time.advance(0);
  assert.equal(writes.length, 1, 'the whole record is written at once');
  const text = JSON.stringify(writes);
  assert.ok(!/Secret-pw/.test(text) && !text.includes('secretAccessKey'), text);
  assert.equal(writes[0].head.rows, undefined, 'the header holds no rows');
});

test('a row that could not be read is journaled without its fields (they may hold part of a password)', async () => {
  const sheet = await sheetOf('user_name,user_password,user_networks\nu0,pw,with,comma,::1\nu1,Good-pw-1,::1\nu2,Good-pw-2,::1\n');
  const run = createRun(sheet, { skip: true });
  const record = newRecord({ id: 'r', run, source: { name: '', fingerprint: 'x' }, settings: SETTINGS, options: { defaultCluster: '', skip: true }, now: 0 });
  assert.deepEqual(record.rows.slice(0, 2).map((e) => [e.userName, e.status]), [['', 'invalid'], ['', 'invalid']]);
  assert.ok(!JSON.stringify(record).includes('comma'));
});

test('changes are coalesced; a job id is written within PROMPT_FLUSH_MS; the end of a run at once', async () => {
  const { run, time, writes } = await recorded(250);
  await time.advance(0);
  assert.equal(writes.length, 1);
  assert.equal(writes[0].blocks.length, Math.ceil(250 / BLOCK_ROWS), 'the first write holds every block');
  const progressEvent = progressOf(run);
  for (let i = 0; i < 50; i += 1) progressEvent(i, { status: 'sending' });
  await time.advance(PROMPT_FLUSH_MS - 1);
  assert.equal(writes.length, 1, 'nothing before PROMPT_FLUSH_MS');
  await time.advance(1);
  assert.equal(writes.length, 2, '50 rows sent make one write, soon');
  assert.deepEqual(writes[1].blocks.map((b) => b.block), [0], 'only the block that changed');
  // A job that ended (no new job id) waits longer.
  for (let i = 0; i < 10; i += 1) progressEvent(i, { status: 'failed', error: { code: 'x', message: 'x' } });
  await time.advance(FLUSH_MS - 1);
  assert.equal(writes.length, 2, 'nothing before FLUSH_MS');
  await time.advance(1);
  assert.equal(writes.length, 3, '10 outcomes make one write');

  progressEvent(120, { status: 'sent', jobId: 'j-120' });
  await time.advance(PROMPT_FLUSH_MS);
  assert.equal(writes.length, 4, 'an accepted job id is written promptly');
  assert.deepEqual(writes[3].blocks[0].entries[20], { index: 120, cluster: 'cl-abcdefgh', userName: 'u120', status: 'sent', jobId: 'j-120' });

  run.cancel();
  await breathe();
  await time.advance(0);
  assert.equal(writes.length, 5, 'the end is written without waiting');
  assert.equal(writes[4].blocks.flatMap((b) => b.entries).filter((e) => e.status === 'not_sent').length, 250 - 51);
});

test('an entry never runs ahead of its row: it is the row status of the moment, and a failed write is retried', async () => {
  let fail = true;
  const saved = [];
  const { run, time, errors } = await recorded(5, {
    save: async (head, stored) => {
      if (fail) throw new DOMException('full', 'QuotaExceededError');
      saved.push(structuredClone(stored));
    },
  });
  await time.advance(0);
  assert.equal(errors.length, 1);
  fail = false;
  const progressEvent = progressOf(run);
  progressEvent(0, { status: 'sending' });
  // The write waits; the row goes back to the queue (a pause took it back before it was sent).
  progressEvent(0, { status: 'queued' });
  await time.advance(FLUSH_MS);
  assert.equal(saved.length, 1, 'the failed blocks go with the next write');
  assert.equal(saved[0][0].entries[0].status, 'queued', 'never "sending": the row was not sent');
});

test('unfinished, expired (finished runs only, after KEEP_FINISHED_MS), progress', async () => {
  const { record } = await recorded(3);
  assert.equal(unfinished(record), true);
  record.rows = record.rows.map((e, i) => ({ ...e, status: ['created', 'exists', 'failed'][i] }));
  assert.equal(unfinished(record), false);
  assert.deepEqual(progress(record), { total: 3, done: 2 });
  const t0 = record.updatedAt;
  assert.equal(expired(record, t0 + KEEP_FINISHED_MS), false);
  assert.equal(expired(record, t0 + KEEP_FINISHED_MS + 1), true);
  record.rows[2] = { ...record.rows[2], status: 'sent', jobId: 'j' };
  assert.equal(expired(record, t0 + 100 * KEEP_FINISHED_MS), false, 'an unfinished run waits to be resumed or discarded');
});

test('blocks read back into the record, in any order', async () => {
  const { record } = await recorded(230);
  const stored = blocks(record, [2, 0, 1]);
  assert.deepEqual(stored.map((b) => b.entries.length), [30, 100, 100]);
  const { rows, ...head } = record;
  assert.deepEqual(fromStore(head, stored), record);
});

test('the previous of a call: its rows only, indexed from 0, with the package\'s name field', async () => {
  const entries = [
    { index: 0, cluster: 'c', userName: 'a', status: 'created', jobId: 'j0' },
    { index: 1, cluster: 'c', userName: 'b', status: 'sending' },
    { index: 2, cluster: 'c', userName: 'd', status: 'sent', jobId: 'j2' },
  ];
  assert.deepEqual(chunkPrevious(entries, [1, 2], 'username'), [
    { index: 0, status: 'sending', cluster: 'c', username: 'b' },
    { index: 1, status: 'sent', jobId: 'j2', cluster: 'c', username: 'd' },
  ]);
});

test('before resuming: the settings, the rows, the fingerprint of the bytes', async () => {
  const { record, sheet } = await recorded(3);
  assert.deepEqual(settingsDiffer(record, SETTINGS), []);
  assert.deepEqual(settingsDiffer(record, { ...SETTINGS, zone: 'pek2', accessKeyId: 'OTHER' }), ['zone', 'accessKeyId']);
  assert.equal(sameRows(record, sheet.rows), true);
  assert.equal(sameRows(record, sheet.rows.slice(1)), false);
  const other = await sheetOf(usersText(3).replace('u2,', 'v2,'));
  assert.equal(sameRows(record, other.rows), false);
  const bytes = new TextEncoder().encode(usersText(3));
  const hex = createHash('sha256').update(bytes).digest('hex');
  assert.equal(await fingerprint(bytes), hex);
  assert.equal(await fileFingerprint(new Blob([bytes])), hex, 'a file: its bytes');
  assert.notEqual(await fileFingerprint(new Blob(['\ufeff', bytes])), hex, 'a byte order mark makes another file');
  assert.equal(await fileFingerprint({ size: MAX_FILE_BYTES + 1 }), null, 'too big: not read');
  assert.equal(await fileFingerprint(new Blob([bytes]), {}), null, 'no digest (crypto.subtle missing): null');
});

test('a discarded run stops being written; a stopped one writes what changed', async () => {
  const first = await recorded(3);
  await first.time.advance(0);
  const progressEvent = progressOf(first.run);
  progressEvent(0, { status: 'sending' });
  await first.recorder.stop({ discarded: true });
  await first.time.advance(FLUSH_MS);
  assert.equal(first.writes.length, 1, 'nothing after the discard');

  const second = await recorded(3);
  await second.time.advance(0);
  progressOf(second.run)(1, { status: 'sending' });
  await second.recorder.stop();
  assert.equal(second.writes.length, 2);
  assert.equal(second.writes[1].blocks[0].entries[1].status, 'sending');
});

test('a resumed run keeps the rows created or existing, and keeps a running job\'s id with its row', async () => {
  const sheet = await sheetOf(usersText(4));
  const earlier = [
    { index: 0, status: 'created', jobId: 'j0' },
    { index: 1, status: 'exists' },
    { index: 2, status: 'sent', jobId: 'j2' },
    { index: 3, status: 'failed', jobId: 'j3' },
  ];
  const run = createRun(sheet, { skip: false, earlier });
  assert.deepEqual(run.status, ['created', 'exists', 'queued', 'queued']);
  assert.deepEqual(run.pending, [2, 3]);
  assert.equal(run.info[0].jobId, 'j0');
  assert.equal(run.info[2].jobId, 'j2', 'followed by the package');
  assert.equal(run.info[3], undefined, 'a failed row is sent again');
  assert.equal(run.keptCount, 2);
});
