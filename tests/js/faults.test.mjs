// The package's JS API against the real sandbox and its fault injection: every failure ends in the
// documented QingCloudError, within the time limit, and never as an unhandled rejection.
// Faults come two ways, both the sandbox's own: the run-time config (POST /_sandbox/faults), which
// hits every API request, and the X-Sandbox-Fault header, added to chosen requests by a thin
// wrapper around the global fetch the package calls.
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as qc from 'qingcloud-useradd';
import { DEMO, demoConfig, startSandbox } from '../support/sandbox.mjs';

const unhandled = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

const credentials = { accessKeyId: DEMO.accessKeyId, secretAccessKey: DEMO.secretAccessKey };
const password = 'Passw0rd-faults';
let serial = 0;
/** A ClickHouse user whose name no other request of this file uses. */
const clickhouse = () => ({
  cluster: DEMO.clickhouseCluster, zone: DEMO.zone, userName: `fault_${process.pid}_${serial++}`,
  userPassword: password, userNetworks: '10.0.0.0/8',
});
const ehpc = () => ({
  clusterId: DEMO.ehpcCluster, zone: DEMO.zone, username: `f${(serial++).toString(36).padStart(7, '0')}`,
  password: 'kUISjs@kkkkkk!',
});

/** Asserts `promise` rejects with a QingCloudError of `code` within `withinMs`; returns the error. */
async function rejectsWith(promise, code, withinMs = 5_000) {
  const started = performance.now();
  let error;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  const elapsed = performance.now() - started;
  assert.ok(error, `expected a ${code} rejection, got a result`);
  assert.ok(qc.isQingCloudError(error), `not a QingCloudError: ${error?.stack ?? error}`);
  assert.equal(error.code, code, error.message);
  assert.ok(!String(error.message).includes(DEMO.secretAccessKey));
  assert.ok(!String(error.message).includes(password));
  assert.ok(elapsed < withinMs, `${code} took ${elapsed.toFixed(0)} ms, more than ${withinMs} ms`);
  return error;
}

const realFetch = globalThis.fetch;
/**
 * Makes the package's next requests carry `X-Sandbox-Fault`: one header value per request, in
 * order; `null` sends a request untouched. Requests after the list are untouched too.
 */
function injectFaults(values) {
  const queue = [...values];
  globalThis.fetch = (input, init) => {
    const value = queue.shift();
    if (value == null) return realFetch(input, init);
    const request = new Request(input, init);
    const headers = new Headers(request.headers);
    headers.set('X-Sandbox-Fault', value);
    return realFetch(new Request(request, { headers }));
  };
  return queue;
}

// Tests that read the sandbox's request log come first: a request held by an injected latency
// is logged when the sandbox finishes it, seconds after its client gave up.
describe('the JS API against sandbox faults', () => {
  let sandbox;
  let options;
  before(async () => {
    sandbox = await startSandbox({ config: demoConfig({ jobDelayMs: 100 }), args: ['--quiet'] });
    options = { endpoint: sandbox.url };
  });
  afterEach(async () => {
    globalThis.fetch = realFetch;
    await sandbox.setFaults({});
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await sandbox?.stop();
  });

  /** The sandbox's log entries of API requests since the last reset. */
  async function apiRequests() {
    return (await sandbox.requests()).filter((r) => r.api === 'iaas' || r.api === 'ehpc');
  }

  test('without faults, both APIs add their user and the job succeeds', async () => {
    const added = await qc.addClickHouseUser(clickhouse(), credentials, options);
    assert.equal(added.retCode, 0);
    const job = await qc.waitForJob(added.jobId, { zone: DEMO.zone, credentials, endpoint: sandbox.url, intervalMs: 25, timeoutMs: 5_000 });
    assert.equal(job.status, 'successful');
    const ehpcAdded = await qc.addEhpcUser(ehpc(), credentials, options);
    assert.match(ehpcAdded.jobId, /^j-/);
  });

  test('busy answers that persist are retried, then end in api_error 5100', async () => {
    await sandbox.reset();
    await sandbox.setFaults({ busy_ratio: 1 });
    const error = await rejectsWith(qc.addClickHouseUser(clickhouse(), credentials, { ...options, maxAttempts: 3, retryBaseMs: 20 }), 'api_error');
    assert.equal(error.retCode, 5100);
    assert.equal(error.status, 200);
    const seen = await apiRequests();
    assert.equal(seen.length, 3, 'three attempts in all');
    assert.ok(seen.every((r) => r.result === 'fault:busy'), JSON.stringify(seen));
    await sandbox.setFaults({ internal_ratio: 1 });
    assert.equal((await rejectsWith(qc.addEhpcUser(ehpc(), credentials, { ...options, maxAttempts: 2, retryBaseMs: 20 }), 'api_error')).retCode, 5000);
  });

  test('busy answers that stop are retried until the request succeeds, adding the user once', async () => {
    await sandbox.reset();
    injectFaults(['busy', 'internal']);
    const user = clickhouse();
    const added = await qc.addClickHouseUser(user, credentials, { ...options, maxAttempts: 3, retryBaseMs: 20 });
    assert.equal(added.retCode, 0);
    const seen = await apiRequests();
    assert.deepEqual(seen.map((r) => r.result), ['fault:busy', 'fault:internal', 'ok']);
    const cluster = (await sandbox.users()).clusters.find((c) => c.cluster_id === DEMO.clickhouseCluster);
    assert.equal(cluster.users.filter((u) => u.name === user.userName).length, 1);
  });

  test('5xx answers end in http_error with their status', async () => {
    await sandbox.setFaults({ error_5xx_ratio: 1 });
    for (let i = 0; i < 3; i++) {
      const error = await rejectsWith(qc.addClickHouseUser(clickhouse(), credentials, options), 'http_error');
      assert.ok([500, 502, 503].includes(error.status), String(error.status));
    }
    await sandbox.setFaults({});
    injectFaults(['http504']);
    assert.equal((await rejectsWith(qc.addEhpcUser(ehpc(), credentials, options), 'http_error')).status, 504);
  });

  test('a malformed (cut-off) JSON answer ends in bad_response', async () => {
    await sandbox.setFaults({ malformed_ratio: 1 });
    const error = await rejectsWith(qc.addClickHouseUser(clickhouse(), credentials, { ...options, method: 'POST' }), 'bad_response');
    assert.equal(error.status, 200);
    await rejectsWith(qc.addEhpcUser(ehpc(), credentials, options), 'bad_response');
  });

  test('an answer cut off mid-transfer ends in network_error: the answer did not arrive, though the user was added', async () => {
    await sandbox.setFaults({ truncated_ratio: 1 });
    const user = clickhouse();
    await rejectsWith(qc.addClickHouseUser(user, credentials, options), 'network_error');
    // The sandbox acted on the request before cutting its answer, as a real server may.
    const cluster = (await sandbox.users()).clusters.find((c) => c.cluster_id === DEMO.clickhouseCluster);
    assert.ok(cluster.users.some((u) => u.name === user.userName));
    await sandbox.setFaults({});
    injectFaults(['truncated']);
    await rejectsWith(qc.addEhpcUser(ehpc(), credentials, options), 'network_error');
  });

  test('a connection closed without an answer ends in network_error', async () => {
    await sandbox.setFaults({ drop_ratio: 1 });
    await rejectsWith(qc.addClickHouseUser(clickhouse(), credentials, options), 'network_error');
    await rejectsWith(qc.addEhpcUser(ehpc(), credentials, { ...options, lang: 'zh' }), 'network_error');
  });

  test('a server that is gone ends in network_error', async () => {
    const gone = await startSandbox({ args: ['--quiet'] });
    const url = gone.url;
    await gone.stop();
    await rejectsWith(qc.addClickHouseUser(clickhouse(), credentials, { endpoint: url }), 'network_error');
  });

  test('waitForJob polls through transient faults to the successful job', async () => {
    const added = await qc.addClickHouseUser(clickhouse(), credentials, options);
    await sandbox.reset();
    injectFaults(['busy', 'http503', 'drop', 'internal', 'latency=200']);
    const job = await qc.waitForJob(added.jobId, {
      zone: DEMO.zone, credentials, endpoint: sandbox.url, intervalMs: 20, timeoutMs: 10_000,
    });
    assert.equal(job.status, 'successful');
    assert.equal(job.jobId, added.jobId);
    const results = (await apiRequests()).map((r) => r.result);
    for (const fault of ['fault:busy', 'fault:http503', 'dropped', 'fault:internal']) assert.ok(results.includes(fault), `${fault} in ${results}`);
  });

  test('latency past the time limit ends in timeout, on time', async () => {
    await sandbox.setFaults({ latency_ms: 3_000 });
    const error = await rejectsWith(qc.addClickHouseUser(clickhouse(), credentials, { ...options, timeoutMs: 300 }), 'timeout', 1_500);
    assert.match(error.message, /300/);
    await rejectsWith(qc.addEhpcUser(ehpc(), credentials, { ...options, timeoutMs: 300, lang: 'zh' }), 'timeout', 1_500);
  });

  test('latency within the time limit still succeeds', async () => {
    await sandbox.setFaults({ latency_ms: 150 });
    const added = await qc.addClickHouseUser(clickhouse(), credentials, { ...options, timeoutMs: 2_000 });
    assert.equal(added.retCode, 0);
  });

  test('an abort mid-request ends in aborted at once; so does an abort before it', async () => {
    await sandbox.setFaults({ latency_ms: 3_000 });
    const controller = new AbortController();
    const pending = qc.addClickHouseUser(clickhouse(), credentials, { ...options, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await rejectsWith(pending, 'aborted', 1_000);
    await rejectsWith(qc.addEhpcUser(ehpc(), credentials, { ...options, signal: AbortSignal.abort() }), 'aborted', 200);
    // An abort during the backoff between busy retries.
    await sandbox.setFaults({ busy_ratio: 1 });
    const during = new AbortController();
    const retrying = qc.addClickHouseUser(clickhouse(), credentials, { ...options, signal: during.signal, retryBaseMs: 5_000, maxAttempts: 5 });
    setTimeout(() => during.abort(), 150);
    await rejectsWith(retrying, 'aborted', 1_000);
  });

  test('waitForJob on a server that never answers in time ends in job_timeout within its limit', async () => {
    const added = await qc.addClickHouseUser(clickhouse(), credentials, options);
    await sandbox.setFaults({ latency_ms: 5_000 });
    const error = await rejectsWith(qc.waitForJob(added.jobId, {
      zone: DEMO.zone, credentials, endpoint: sandbox.url, intervalMs: 50, timeoutMs: 800,
    }), 'job_timeout', 2_000);
    assert.match(error.message, new RegExp(added.jobId));
  });

  test('waitForJob stops at once on a malformed answer, and on an abort', async () => {
    const added = await qc.addClickHouseUser(clickhouse(), credentials, options);
    await sandbox.setFaults({ malformed_ratio: 1 });
    await rejectsWith(qc.waitForJob(added.jobId, { zone: DEMO.zone, credentials, endpoint: sandbox.url, intervalMs: 20 }), 'bad_response', 2_000);
    await sandbox.setFaults({ busy_ratio: 1 });
    const controller = new AbortController();
    const waiting = qc.waitForJob(added.jobId, { zone: DEMO.zone, credentials, endpoint: sandbox.url, intervalMs: 100, signal: controller.signal });
    setTimeout(() => controller.abort(), 250);
    await rejectsWith(waiting, 'aborted', 1_500);
  });

  test('a mix of every fault: each call either succeeds or ends in a documented error', async () => {
    await sandbox.setFaults({ seed: 7, busy_ratio: 0.15, internal_ratio: 0.05, error_5xx_ratio: 0.1, malformed_ratio: 0.1, drop_ratio: 0.1, truncated_ratio: 0.05 });
    const documented = new Set(['api_error', 'http_error', 'bad_response', 'network_error']);
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => (i % 2
      ? qc.addClickHouseUser(clickhouse(), credentials, { ...options, retryBaseMs: 10, timeoutMs: 5_000 })
      : qc.addEhpcUser(ehpc(), credentials, { ...options, retryBaseMs: 10, timeoutMs: 5_000 }))));
    const codes = {};
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') {
        assert.equal(outcome.value.retCode, 0);
        codes.ok = (codes.ok ?? 0) + 1;
      } else {
        assert.ok(qc.isQingCloudError(outcome.reason), String(outcome.reason));
        assert.ok(documented.has(outcome.reason.code), outcome.reason.code);
        codes[outcome.reason.code] = (codes[outcome.reason.code] ?? 0) + 1;
      }
    }
    assert.ok(codes.ok > 0 && Object.keys(codes).length >= 2, JSON.stringify(codes));
  });
});

test('no promise of the package was left rejected without a handler', async () => {
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(unhandled.map(String), []);
});
