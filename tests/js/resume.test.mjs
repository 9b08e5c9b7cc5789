// Resuming a bulk run with `previous`: against the sandbox, a run cut short (by its signal, or by
// faults) is finished by a second run, every user exists exactly once, and nothing already done is
// sent again. A `previous` that is not of these rows is refused before anything is sent.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as qc from 'qingcloud-useradd';
import { startSandbox, demoConfig, DEMO } from '../support/sandbox.mjs';

const credentials = { accessKeyId: DEMO.accessKeyId, secretAccessKey: DEMO.secretAccessKey };
const FINAL = ['created', 'exists', 'invalid', 'failed', 'not_sent'];

async function clusterUsers(sandbox, clusterId) {
  const overview = await sandbox.users();
  const cluster = (overview.clusters ?? overview).find((c) => c.cluster_id === clusterId);
  return cluster.users.filter((u) => u.created).map((u) => u.name);
}

async function requestsOf(sandbox, action, path) {
  return (await sandbox.requests()).filter((r) => (action ? r.action === action : r.path === path)).length;
}

function assertEachOnce(names, rows, key) {
  for (const row of rows) assert.equal(names.filter((n) => n === row[key]).length, 1, row[key]);
}

describe('resuming bulk runs', () => {
  let sandbox;
  before(async () => { sandbox = await startSandbox({ config: demoConfig({ jobDelayMs: 200 }), args: ['--quiet'] }); });
  after(() => sandbox?.stop());

  test('a journal taken when a run is cut off finishes it: done rows kept, running jobs followed', async () => {
    await sandbox.reset();
    const rows = Array.from({ length: 60 }, (_, i) => ({ userName: `resume_${i}`, userPassword: `Resume-${i}-pass`, userNetworks: '::1' }));
    const options = { endpoint: sandbox.url, cluster: DEMO.clickhouseCluster, zone: DEMO.zone, method: 'POST', concurrency: 2, pollIntervalMs: 50 };
    // 20 ms per request and 200 ms jobs: when 8 rows are created, others are running or queued.
    await sandbox.setFaults({ latency_ms: 20 });
    // The journal a page would keep: every row, updated from each progress event.
    const journal = rows.map((row, index) => ({ index, cluster: DEMO.clickhouseCluster, userName: row.userName, status: 'queued' }));
    const phases = new Set();
    const controller = new AbortController();
    let snapshot;
    const first = await qc.addClickHouseUsers(rows, credentials, {
      ...options,
      signal: controller.signal,
      onProgress: ({ phase, row, succeeded }) => {
        phases.add(phase);
        const entry = journal[row.index];
        entry.status = row.status;
        if (row.jobId) entry.jobId = row.jobId;
        // The tab is closed here: what the journal holds now is all a second run learns.
        if (succeeded >= 8 && !snapshot) {
          snapshot = structuredClone(journal);
          controller.abort();
        }
      },
    });
    await sandbox.setFaults({});
    assert.deepEqual([...phases].sort(), ['done', 'sending', 'sent']);
    assert.ok(first.counts.not_sent > 0, 'the first run stopped early');
    const followed = snapshot.filter((e) => e.status === 'sent' && e.jobId);
    const toSend = snapshot.filter((e) => !['created', 'exists'].includes(e.status) && !(e.status === 'sent' && e.jobId));
    assert.ok(followed.length > 0, 'some jobs were still running when the journal was taken');
    assert.ok(snapshot.some((e) => e.status === 'created'));

    await sandbox.reset();
    const events = [];
    const second = await qc.addClickHouseUsers(rows, credentials, { ...options, previous: snapshot, onProgress: (e) => events.push(e.row) });
    assert.equal(second.counts.succeeded, rows.length, JSON.stringify(second.results.find((r) => !['created', 'exists'].includes(r.status))));
    assert.equal(second.counts.total, FINAL.reduce((sum, s) => sum + second.counts[s], 0));
    // Nothing done or running is sent again: the sandbox saw one add per row left to send.
    assert.equal(await requestsOf(sandbox, 'RunClusterCustomService'), toSend.length);
    assert.ok(await requestsOf(sandbox, 'DescribeJobs') > 0);
    for (const entry of snapshot.filter((e) => e.status === 'created')) {
      assert.equal(second.results[entry.index].status, 'created');
      assert.equal(second.results[entry.index].jobId, entry.jobId);
      assert.ok(!events.some((r) => r.index === entry.index), 'a kept row makes no progress event');
    }
    for (const entry of followed) {
      assert.equal(second.results[entry.index].status, 'created', `followed row ${entry.index}`);
      assert.equal(second.results[entry.index].jobId, entry.jobId, 'followed, not sent again');
    }
    // Rows the first run sent after the journal was taken were created then; sent again, they
    // meet "already exists" and say why.
    for (const entry of toSend) {
      const result = second.results[entry.index];
      if (result.status === 'exists') assert.match(result.note, /earlier attempt/);
    }
    assertEachOnce(await clusterUsers(sandbox, DEMO.clickhouseCluster), rows, 'userName');

    // The finished run's results resume to the same outcome, sending nothing.
    await sandbox.reset();
    const third = await qc.addClickHouseUsers(rows, credentials, { ...options, previous: second.results });
    assert.equal(third.counts.succeeded, rows.length);
    assert.equal((await sandbox.requests()).length, 0);
  });

  test('EHPC rows failed by faults are sent again; "already exists" after a cut-off answer is exists', async () => {
    await sandbox.reset();
    const rows = Array.from({ length: 40 }, (_, i) => ({ username: `rs_${i}`, password: 'kUISjs@kkkkkk!' }));
    const options = { endpoint: sandbox.url, clusterId: DEMO.ehpcCluster, zone: DEMO.zone, concurrency: 4, pollIntervalMs: 50 };
    await sandbox.setFaults({ truncated_ratio: 0.25, drop_ratio: 0.25, seed: 3 });
    let first;
    try {
      first = await qc.addEhpcUsers(rows, credentials, { ...options, maxAttempts: 1 });
    } finally {
      await sandbox.setFaults({});
    }
    const failed = first.results.filter((r) => r.status === 'failed');
    assert.ok(failed.length > 0 && failed.length < rows.length, `${failed.length} rows failed`);

    await sandbox.reset();
    const second = await qc.addEhpcUsers(rows, credentials, { ...options, previous: first.results });
    assert.equal(second.counts.succeeded, rows.length);
    assert.equal(await requestsOf(sandbox, null, '/api/user/addUser'), failed.length, 'only the failed rows are sent again');
    for (const row of failed) {
      const result = second.results[row.index];
      if (result.status === 'exists') assert.match(result.note, /earlier attempt/);
    }
    assert.ok(failed.some((r) => second.results[r.index].status === 'exists'), 'a truncated answer had created a user');
    assertEachOnce(await clusterUsers(sandbox, DEMO.ehpcCluster), rows, 'username');
  });

  test('a previous of other rows is refused with invalid_options, and nothing is sent', async () => {
    await sandbox.reset();
    const rows = [
      { userName: 'mismatch_a', userPassword: 'Passw0rd!', userNetworks: '::1' },
      { userName: 'mismatch_b', userPassword: 'Passw0rd!', userNetworks: '::1' },
    ];
    const options = { endpoint: sandbox.url, cluster: DEMO.clickhouseCluster, zone: DEMO.zone };
    const entry = (index, extra = {}) => ({ index, status: 'failed', ...extra });
    for (const [previous, message] of [
      [[entry(0)], /previous must hold one entry per row/],
      [[entry(1), entry(0)], /previous\[0\] is not row 0/],
      [[entry(0), entry(1, { userName: 'someone_else' })], /previous\[1\] is not row 1 \(index, status, cluster or user name\)/],
      [[entry(0, { cluster: 'cl-abcdefgh', userName: 'mismatch_a' }), entry(1)], /previous\[0\] is not row 0/],
      [[entry(0), entry(1, { status: 'done' })], /previous\[1\] is not row 1/],
      [[entry(0), 'nonsense'], /previous\[1\]: a row must be an object/],
      [[entry(0), entry(1, { jobId: 5 })], /previous\[1\]: jobId/],
      ['all of them', /previous must be a list/],
    ]) {
      await assert.rejects(qc.addClickHouseUsers(rows, credentials, { ...options, previous }), (e) => {
        assert.equal(e.code, 'invalid_options');
        assert.match(e.message, message);
        return true;
      });
    }
    await assert.rejects(
      qc.addEhpcUsers([{ username: 'u1', password: 'kUISjs@kkkkkk!' }], credentials,
        { endpoint: sandbox.url, clusterId: DEMO.ehpcCluster, zone: DEMO.zone, previous: [entry(0, { cluster: DEMO.ehpcCluster, username: 'u2' })] }),
      (e) => e.code === 'invalid_options');
    assert.equal((await sandbox.requests()).length, 0);
  });
});
