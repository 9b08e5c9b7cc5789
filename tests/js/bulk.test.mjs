// Bulk adds against the real sandbox: faults injected, every row accounted for, cancellation honest.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as qc from 'qingcloud-useradd';
import { startSandbox, demoConfig, DEMO } from '../support/sandbox.mjs';

const credentials = { accessKeyId: DEMO.accessKeyId, secretAccessKey: DEMO.secretAccessKey };
const STATUSES = ['created', 'exists', 'invalid', 'failed', 'not_sent'];

function assertAddsUp({ results, counts }, total) {
  assert.equal(results.length, total);
  assert.equal(counts.total, total);
  assert.equal(STATUSES.reduce((sum, s) => sum + counts[s], 0), total);
  assert.equal(counts.queued + counts.sending + counts.sent, 0);
  results.forEach((r, i) => {
    assert.equal(r.index, i, 'results are in input order');
    assert.ok(STATUSES.includes(r.status), r.status);
  });
  for (const status of STATUSES) assert.equal(results.filter((r) => r.status === status).length, counts[status], status);
}

async function clusterUsers(sandbox, clusterId) {
  const overview = await sandbox.users();
  const cluster = (overview.clusters ?? overview).find((c) => c.cluster_id === clusterId);
  return cluster.users.filter((u) => u.created).map((u) => u.name);
}

describe('1,000 ClickHouse rows with 10% injected faults', () => {
  let sandbox;
  before(async () => {
    sandbox = await startSandbox({
      config: { ...demoConfig({ jobDelayMs: 30 }), faults: { busy_ratio: 0.03, internal_ratio: 0.01, error_5xx_ratio: 0.03, drop_ratio: 0.02, truncated_ratio: 0.01, latency_ms: 1, seed: 7 } },
      args: ['--quiet'],
    });
  });
  after(() => sandbox?.stop());

  test('every row ends final, none is created twice, and the counts add up', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ userName: `bulk_${i}`, userPassword: `Pass-${i}-word`, userNetworks: '10.0.0.0/8' }));
    const progress = [];
    const result = await qc.addClickHouseUsers(rows, credentials, {
      endpoint: sandbox.url, cluster: DEMO.clickhouseCluster, zone: DEMO.zone, method: 'POST',
      concurrency: 16, maxAttempts: 8, retryBaseMs: 5, retryCapMs: 50, pollIntervalMs: 50, timeoutMs: 5_000,
      onProgress: (event) => progress.push(event),
    });
    assertAddsUp(result, 1000);
    assert.equal(result.counts.failed, 0, JSON.stringify(result.results.find((r) => r.status === 'failed')));
    assert.equal(result.counts.created + result.counts.exists, 1000);
    for (const row of result.results.filter((r) => r.status === 'exists')) {
      assert.match(row.note, /earlier attempt/, 'only an ambiguous retry can meet "exists" here');
    }
    const created = result.results.filter((r) => r.status === 'created');
    assert.equal(new Set(created.map((r) => r.jobId)).size, created.length, 'one job per created row');
    const names = await clusterUsers(sandbox, DEMO.clickhouseCluster);
    for (const row of rows) assert.equal(names.filter((n) => n === row.userName).length, 1, row.userName);
    // Progress: every event's counts add up, and the last one is the final tally.
    for (const event of progress) assert.equal(event.queued + event.sending + event.sent + STATUSES.reduce((s, k) => s + event[k], 0), 1000);
    const { row: lastRow, phase: lastPhase, concurrency: lastConcurrency, ...lastCounts } = progress.at(-1);
    assert.equal(lastConcurrency, 16, "a fixed concurrency is reported as it is");
    assert.deepEqual(lastCounts, result.counts);
    assert.equal(lastPhase, 'done');
    assert.equal(lastRow.status, result.results[lastRow.index].status);
    // Jobs were followed in batches: far fewer DescribeJobs calls than rows.
    const describes = (await sandbox.requests()).filter((r) => r.action === 'DescribeJobs').length;
    assert.ok(describes < 500, `${describes} DescribeJobs calls`);
  });
});

describe('validation, duplicates and cancellation', () => {
  let sandbox;
  before(async () => { sandbox = await startSandbox({ config: demoConfig({ jobDelayMs: 30 }), args: ['--quiet'] }); });
  after(() => sandbox?.stop());

  test('invalid rows stop the run by default, and nothing is sent', async () => {
    await sandbox.reset();
    const rows = [
      { username: 'ok_1', password: 'kUISjs@kkkkkk!' },
      { username: 'bad-name', password: 'kUISjs@kkkkkk!' },
      { username: 'ok_1', password: 'kUISjs@kkkkkk!' },
    ];
    const result = await qc.addEhpcUsers(rows, credentials, { endpoint: sandbox.url, clusterId: DEMO.ehpcCluster, zone: DEMO.zone });
    assertAddsUp(result, 3);
    assert.deepEqual(result.results.map((r) => r.status), ['not_sent', 'invalid', 'invalid']);
    assert.deepEqual(result.results[1].error.errors.map((e) => e.code), ['invalid_characters']);
    assert.deepEqual(result.results[2].error.errors.map((e) => e.code), ['duplicate_row']);
    assert.equal((await sandbox.requests()).length, 0);
  });

  test("onInvalid 'skip' sends the valid rows once each; existing users end 'exists'", async () => {
    const rows = [
      { username: 'skip_1', password: 'kUISjs@kkkkkk!' },
      { username: '', password: 'kUISjs@kkkkkk!' },
      { username: 'skip_1', password: 'kUISjs@kkkkkk!' },
      { username: 'admin', password: 'kUISjs@kkkkkk!', mod: '700' },
    ];
    const result = await qc.addEhpcUsers(rows, credentials, { endpoint: sandbox.url, clusterId: DEMO.ehpcCluster, zone: DEMO.zone, onInvalid: 'skip', pollIntervalMs: 20, lang: 'zh' });
    assertAddsUp(result, 4);
    assert.deepEqual(result.results.map((r) => r.status), ['created', 'invalid', 'invalid', 'exists']);
    assert.match(result.results[1].error.message, /username 为必填项/);
    assert.equal(result.results[3].note, undefined);
    assert.deepEqual((await clusterUsers(sandbox, DEMO.ehpcCluster)).filter((n) => n === 'skip_1'), ['skip_1']);
  });

  test('cancelling stops sending, lets in-flight rows finish, and every status is true', async () => {
    await sandbox.reset();
    const controller = new AbortController();
    const rows = Array.from({ length: 200 }, (_, i) => ({ userName: `cancel_${i}`, userPassword: 'Cancel-pass1', userNetworks: '::1' }));
    let sentAtAbort = -1;
    const result = await qc.addClickHouseUsers(rows, credentials, {
      endpoint: sandbox.url, cluster: DEMO.clickhouseCluster, zone: DEMO.zone, concurrency: 2, pollIntervalMs: 20, signal: controller.signal,
      onProgress: (event) => {
        if (event.sent + event.succeeded >= 20 && !controller.signal.aborted) {
          controller.abort();
          sentAtAbort = event.sent + event.succeeded + event.sending;
        }
      },
    });
    assertAddsUp(result, 200);
    const sentRows = result.results.filter((r) => r.status !== 'not_sent');
    assert.ok(sentRows.length <= sentAtAbort + 2, `${sentRows.length} rows sent after aborting at ${sentAtAbort}`);
    assert.ok(result.counts.not_sent >= 170);
    const adds = (await sandbox.requests()).filter((r) => r.action === 'RunClusterCustomService').length;
    assert.equal(adds, sentRows.length, 'the sandbox saw exactly the rows reported as sent');
    const names = new Set(await clusterUsers(sandbox, DEMO.clickhouseCluster));
    for (const row of result.results) {
      assert.equal(names.has(rows[row.index].userName), row.status === 'created', `${row.index} ${row.status}`);
    }
  });

  test('bad options and credentials reject before anything is sent', async () => {
    await sandbox.reset();
    await assert.rejects(qc.addClickHouseUsers([], { accessKeyId: 'x' }), (e) => e.code === 'invalid_options');
    await assert.rejects(qc.addClickHouseUsers('rows', credentials), (e) => e.code === 'invalid_input');
    await assert.rejects(qc.addEhpcUsers([], credentials, { onInvalid: 'maybe' }), (e) => e.code === 'invalid_options');
    const row = { username: 'never_sent', password: 'kUISjs@kkkkkk!' };
    await assert.rejects(
      qc.addEhpcUsers([row], credentials, { endpoint: sandbox.url, clusterId: DEMO.ehpcCluster, zone: DEMO.zone, concurrency: 'fast' }),
      (e) => e.code === 'invalid_options' && /concurrency/.test(e.message) && /'auto'/.test(e.message),
    );
    // A number that cannot be used is refused with its rule, not replaced by a default or clamped.
    const base = { endpoint: sandbox.url, clusterId: DEMO.ehpcCluster, zone: DEMO.zone };
    for (const [bad, rule] of [
      [{ concurrency: 0 }, /concurrency must be a whole number from 1 to 64 or 'auto'/],
      [{ concurrency: 65 }, /concurrency must be a whole number from 1 to 64/],
      [{ concurrency: 2.5 }, /concurrency must be a whole number/],
      [{ concurrency: 'auto', maxConcurrency: 100 }, /maxConcurrency must be a whole number from 1 to 64/],
      [{ maxAttempts: 0 }, /maxAttempts must be a whole number from 1 to 100/],
      [{ timeoutMs: Number.NaN }, /timeoutMs must be a whole number from 1 to 2147483647/],
      [{ retryBaseMs: -5 }, /retryBaseMs must be a whole number from 0/],
      [{ retryCapMs: Infinity }, /retryCapMs must be a whole number from 0/],
      [{ pollIntervalMs: -5 }, /pollIntervalMs must be a whole number from 0 to 2147483647/],
      [{ jobTimeoutMs: 2 ** 31 }, /jobTimeoutMs must be a whole number from 1 to 2147483647/],
    ]) {
      await assert.rejects(qc.addEhpcUsers([row], credentials, { ...base, ...bad }), (e) => e.code === 'invalid_options' && rule.test(e.message), JSON.stringify(bad));
    }
    await assert.rejects(qc.addEhpcUsers([row], credentials, { ...base, maxAttempts: 0, lang: 'zh' }), (e) => e.code === 'invalid_options' && e.message === '选项无效：maxAttempts 须为 1 到 100 之间的整数');
    await assert.rejects(qc.addEhpcUsers([row], credentials, { ...base, concurrency: 'fast', lang: 'zh' }), (e) => e.code === 'invalid_options' && e.message === "选项无效：concurrency 须为 1 到 64 之间的整数或 'auto'");
    assert.equal((await sandbox.requests()).length, 0);
  });

  test('rows and previous entries past 100,000 are refused before any is read, sparse lists too', async () => {
    await sandbox.reset();
    const options = { endpoint: sandbox.url, cluster: DEMO.clickhouseCluster, zone: DEMO.zone };
    const row = { userName: 'never_sent', userPassword: 'Str0ng&Pass/word', userNetworks: '10.0.0.0/8' };
    // A sparse list claims 4,294,967,295 rows and holds one.
    const sparse = [];
    sparse[2 ** 32 - 2] = row;
    for (const rows of [sparse, new Array(100_001).fill(row)]) {
      await assert.rejects(qc.addClickHouseUsers(rows, credentials, options), (e) => e.code === 'invalid_input' && /at most 100000 rows/.test(e.message));
    }
    for (const previous of [sparse, new Array(100_001).fill({ index: 0, status: 'created' })]) {
      await assert.rejects(qc.addClickHouseUsers([row], credentials, { ...options, previous }), (e) => e.code === 'invalid_options' && /previous must hold at most 100000/.test(e.message));
    }
    // 100,000 rows are taken: here the run is aborted before it starts, so none is sent.
    const most = Array.from({ length: 100_000 }, (_, i) => ({ ...row, userName: `u${i}` }));
    const aborted = await qc.addClickHouseUsers(most, credentials, { ...options, signal: AbortSignal.abort() });
    assert.equal(aborted.counts.not_sent, 100_000);
    assert.equal((await sandbox.requests()).length, 0);
  });
});

describe("concurrency 'auto' against an API that takes 4 requests at once", () => {
  let sandbox;
  before(async () => {
    sandbox = await startSandbox({ config: { ...demoConfig({ jobDelayMs: 30 }), faults: { capacity: 4, latency_ms: 10 } }, args: ['--quiet'] });
  });
  after(() => sandbox?.stop());

  /**
   * One run of 300 rows: its result, progress events and the sandbox's busy answers. `starts`
   * holds, for each request the package made, how many of its requests were in flight with it
   * and the highest limit the progress events had reported by then.
   */
  async function runAt(concurrency, tag) {
    await sandbox.reset({ state: true });
    const rows = Array.from({ length: 300 }, (_, i) => ({ userName: `${tag}_${i}`, userPassword: 'Auto-pass1', userNetworks: '10.0.0.0/8' }));
    const events = [];
    const starts = [];
    let highest = 0;
    let inFlight = 0;
    const realFetch = globalThis.fetch;
    globalThis.fetch = (...args) => {
      inFlight += 1;
      starts.push({ inFlight, highest });
      const answer = realFetch(...args);
      answer.then(() => { inFlight -= 1; }, () => { inFlight -= 1; });
      return answer;
    };
    let result;
    try {
      result = await qc.addClickHouseUsers(rows, credentials, {
        endpoint: sandbox.url, cluster: DEMO.clickhouseCluster, zone: DEMO.zone, concurrency, maxConcurrency: 12,
        maxAttempts: 10, retryBaseMs: 5, retryCapMs: 50, pollIntervalMs: 50,
        onProgress: (event) => {
          events.push(event);
          highest = Math.max(highest, event.concurrency);
        },
      });
    } finally {
      globalThis.fetch = realFetch;
    }
    const busy = (await sandbox.requests()).filter((r) => r.result === 'fault:capacity').length;
    return { result, events, starts, busy };
  }

  test('starts at 2, stays within maxConcurrency, backs off from busy answers, and creates every row', async () => {
    const auto = await runAt('auto', 'auto');
    assertAddsUp(auto.result, 300);
    assert.equal(auto.result.counts.created, 300, JSON.stringify(auto.result.results.find((r) => r.status !== 'created')));
    const limits = auto.events.map((e) => e.concurrency);
    assert.equal(limits[0], 2);
    assert.ok(Math.max(...limits) <= 12, `went up to ${Math.max(...limits)}`);
    assert.ok(Math.max(...limits) > 4, 'it grew while answers were quick');
    const fell = limits.some((limit, i) => i > 0 && limit < limits[i - 1]);
    assert.ok(fell, 'it came down after busy answers');
    // Requests in flight never exceed the highest limit so far (after a halving, those already
    // in flight finish; no new one starts until they are fewer than the limit). The `sending`
    // count is no measure of that: it includes rows waiting before a retry, which hold no place.
    assert.ok(auto.starts.length >= 300);
    for (const start of auto.starts) assert.ok(start.inFlight <= start.highest, JSON.stringify(start));
    assert.ok(auto.starts.some((start) => start.inFlight > 4), 'more than 4 requests were in flight at times');
    const fixed = await runAt(12, 'fixed');
    // A fixed 12 meets busy answers on most attempts: some rows may run out of them.
    assertAddsUp(fixed.result, 300);
    assert.ok(auto.busy * 4 <= fixed.busy, `busy answers: 'auto' ${auto.busy}, fixed 12 ${fixed.busy}`);
  });
});
