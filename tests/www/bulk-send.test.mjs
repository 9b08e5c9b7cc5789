// bulk-send.js: the rows of a chunk reach the package whole (passwords included), and nothing that
// comes back (progress, results, a rejection) repeats a password, even from a server that quotes
// what it was sent. Then a whole run of rows with hard passwords against the sandbox, through the
// package's Node build: the users are created, and the results file holds no part of a password.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'qingcloud-useradd';
import { createSheet } from '../../www/bulk-rows.js';
import { createRun, resultLines } from '../../www/bulk-run.js';
import { chosenConcurrency, readConcurrency, rowSender, sendOptions, zoneProblems } from '../../www/bulk-send.js';
import { toCsv } from '../../www/csv.js';
import { DEMO, demoConfig, startSandbox } from '../support/sandbox.mjs';

const breathe = () => new Promise((resolve) => { setImmediate(resolve); });
const HEADER = 'cluster,user_name,user_password,user_networks';
const quoted = (value) => `"${value.replaceAll('"', '""')}"`;

async function sheetOf(text, kind = 'clickhouse') {
  const sheet = createSheet({ api, breathe });
  sheet.kind = kind;
  sheet.source = { type: 'text', name: '', text };
  await sheet.check({ lang: 'en', zone: DEMO.zone, defaultCluster: DEMO.clickhouseCluster });
  return sheet;
}

describe('what comes back', () => {
  test('a server quoting the passwords it was sent: masked in progress, results and a rejection', async () => {
    const passwords = ['Pw7x,Qz9k"Lm4t', 'Rb8v-Yc2w-Hn5s'];
    const sheet = await sheetOf(`${HEADER}\n${passwords.map((p, i) => `,u${i},${quoted(p)},::1`).join('\n')}\n`);
    assert.deepEqual(sheet.rows.map((row) => row.valid), [true, true]);
    const seen = [];
    let fail = false;
    const echoing = {
      ...api,
      addClickHouseUsers: async (inputs, credentials, options) => {
        seen.push(inputs);
        if (fail) throw Object.assign(new Error(`bad rows: ${inputs.map((r) => r.userPassword).join(' ')}`), { name: 'QingCloudError', code: 'invalid_input' });
        const rows = inputs.map((input, index) => ({
          index, status: 'failed', retCode: 1400,
          error: { code: 'api_error', message: `password ${input.userPassword} refused`, retCode: 1400 },
          note: `tried ${input.userPassword}`,
        }));
        for (const row of rows) options.onProgress({ queued: 0, sending: 0, row });
        return { results: rows };
      },
      isQingCloudError: (error) => error?.name === 'QingCloudError',
    };
    const send = rowSender({ api: echoing, kind: 'clickhouse', rows: sheet.rows, credentials: {}, options: { zone: DEMO.zone } });
    const progress = [];
    const { results } = await send([1, 0], { signal: new AbortController().signal, onProgress: (event) => progress.push(event.row) });
    assert.deepEqual(seen[0].map((input) => [input.userName, input.userPassword]), [['u1', passwords[1]], ['u0', passwords[0]]], 'sent whole, in chunk order');
    for (const row of [...progress, ...results]) {
      assert.equal(row.error.message, 'password ••• refused');
      assert.equal(row.note, 'tried •••');
    }
    fail = true;
    await assert.rejects(send([0, 1], { signal: new AbortController().signal, onProgress: () => {} }),
      (described) => described.code === 'invalid_input' && described.message === 'bad rows: ••• •••');
  });

  test('options: the concurrency read strictly, the zone checked by the package, EHPC on its own host', () => {
    assert.deepEqual(['1', '16', '4'].map(readConcurrency), [1, 16, 4]);
    assert.deepEqual(['0', '17', '2.5', '', 'four'].map(readConcurrency), [null, null, null, null, null]);
    assert.equal(chosenConcurrency({ auto: true, text: 'four' }), 'auto', 'Auto needs no number');
    assert.equal(chosenConcurrency({ auto: false, text: '7' }), 7);
    assert.equal(chosenConcurrency({ auto: false, text: '17' }), null);
    assert.deepEqual(zoneProblems(api, 'pek3', 'en'), []);
    assert.match(zoneProblems(api, 'PEK 3', 'en')[0], /^zone must be/);
    const settings = { ehpcEndpoint: (endpoint) => `${endpoint}/ehpc` };
    const s = { endpoint: 'https://example.test', zone: 'pek3', method: 'POST' };
    assert.deepEqual(sendOptions('ehpc', s, settings, { lang: 'zh', concurrency: 3, skip: true }), {
      endpoint: 'https://example.test/ehpc', jobsEndpoint: 'https://example.test', zone: 'pek3', method: 'POST', lang: 'zh', concurrency: 3, onInvalid: 'skip',
    });
    assert.equal(sendOptions('clickhouse', s, settings, { lang: 'en', concurrency: 1, skip: false }).endpoint, 'https://example.test');
    const auto = sendOptions('clickhouse', s, settings, { lang: 'en', concurrency: 'auto', skip: false });
    assert.deepEqual([auto.concurrency, auto.maxConcurrency], ['auto', 16]);
  });
});

describe('a run against the sandbox', () => {
  let sandbox;
  before(async () => {
    sandbox = await startSandbox({ config: demoConfig({ jobDelayMs: 20 }), args: ['--quiet'] });
  });
  after(() => sandbox?.stop());

  test('passwords with commas, quotes and a formula start are sent whole; the results file holds none of them', async () => {
    const passwords = ['Pw7x,Qz9k', 'Lm4t"Rb8v', 'Yc2w","Hn5s', '=Ju6d+Kt3f', 'Vs9q,,"Wp2m"'];
    const broken = 'Xe4r\nZa1b,Cd3e';
    const rows = [
      ...passwords.map((p, i) => `,pw${i},${quoted(p)},::1`),
      ',buffer,Fine-password-0,::1', // next to a row that cannot be read: not sent either
      `,split1,${broken},::1`, // unquoted: split over two records, neither sent
      ',after,Fine-password-1,::1',
      ',after2,Fine-password-2,::1',
    ];
    const sheet = await sheetOf(`${HEADER}\n${rows.join('\n')}\n`);
    assert.deepEqual(sheet.rows.map((row) => row.valid), [true, true, true, true, true, false, false, false, false, true]);
    const run = createRun(sheet, { skip: true });
    const s = { endpoint: sandbox.url, zone: DEMO.zone, method: 'POST' };
    const options = sendOptions('clickhouse', s, { ehpcEndpoint: (e) => e }, { lang: 'en', concurrency: 4, skip: true });
    const done = new Promise((resolve) => run.subscribe((event) => { if (event.type === 'state' && !run.active()) resolve(run.state); }));
    run.launch(rowSender({ api, kind: 'clickhouse', rows: sheet.rows, credentials: DEMO, options: { ...options, pollIntervalMs: 50 } }));
    assert.equal(await done, 'done');
    assert.deepEqual(run.status, [...Array(5).fill('created'), ...Array(4).fill('invalid'), 'created']);
    const file = toCsv(resultLines(run), { safe: true });
    for (const piece of [...passwords, broken].flatMap((p) => p.split(/[\s,"=+]+/)).filter(Boolean)) {
      assert.ok(!file.includes(piece), `"${piece}" is in the results file:\n${file}`);
    }
    const adds = (await sandbox.requests()).filter((r) => r.action === 'RunClusterCustomService');
    assert.equal(adds.length, 6, 'the readable rows only');
    const overview = await sandbox.users();
    const users = (overview.clusters ?? overview).find((c) => c.cluster_id === DEMO.clickhouseCluster).users.map((u) => u.name);
    for (const name of ['pw0', 'pw1', 'pw2', 'pw3', 'pw4', 'after2']) assert.ok(users.includes(name), name);
    for (const name of ['buffer', 'split1', 'after']) assert.ok(!users.includes(name), name);
  });
});
