// Load: 64 concurrent clients drive the sandbox through the package's JS API for 20 seconds. Each
// adds a user with a name of its own (ClickHouse or EHPC, by turns) and follows the job until it
// is successful, again and again. Nothing may fail, and at the end every job is successful, the
// sandbox knows exactly the jobs that were created, and every user exists exactly once.
// LOAD_CLIENTS and LOAD_SECONDS change the defaults (64 and 20), for a quick run by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as qc from 'qingcloud-useradd';
import { DEMO, demoConfig, startSandbox } from '../support/sandbox.mjs';

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 64);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 20);
const JOB_DELAY_MS = 150;
const credentials = { accessKeyId: DEMO.accessKeyId, secretAccessKey: DEMO.secretAccessKey };

const unhandled = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

test(`the sandbox holds ${CLIENTS} concurrent clients for ${SECONDS} s with no error and no lost job`, { timeout: (SECONDS + 90) * 1000 }, async (t) => {
  const sandbox = await startSandbox({ config: demoConfig({ jobDelayMs: JOB_DELAY_MS }), args: ['--quiet'] });
  try {
    const options = { endpoint: sandbox.url, timeoutMs: 10_000 };
    const created = []; // { kind, name, jobId }
    const errors = [];
    let serial = 0;
    // Counts the HTTP requests the package makes (adds and DescribeJobs polls).
    let requests = 0;
    const realFetch = globalThis.fetch;
    globalThis.fetch = (...args) => { requests++; return realFetch(...args); };
    const deadline = performance.now() + SECONDS * 1000;

    async function client(index) {
      while (performance.now() < deadline) {
        const n = serial++;
        const clickhouse = index % 2 === 0;
        // EHPC names are at most 8 characters: 'l' and 7 base-36 digits.
        const name = clickhouse ? `load_${n}` : `l${n.toString(36).padStart(7, '0')}`;
        try {
          const added = clickhouse
            ? await qc.addClickHouseUser({ cluster: DEMO.clickhouseCluster, zone: DEMO.zone, userName: name, userPassword: 'Passw0rd-load', userNetworks: '10.0.0.0/8' }, credentials, options)
            : await qc.addEhpcUser({ clusterId: DEMO.ehpcCluster, zone: DEMO.zone, username: name, password: 'kUISjs@kkkkkk!' }, credentials, options);
          created.push({ clickhouse, name, jobId: added.jobId });
          const job = await qc.waitForJob(added.jobId, {
            zone: DEMO.zone, credentials, endpoint: sandbox.url, intervalMs: 50, timeoutMs: 15_000,
          });
          assert.equal(job.status, 'successful');
        } catch (error) {
          errors.push(`${name}: ${error.code ?? ''} ${error.message}`);
          if (errors.length > 20) return;
        }
      }
    }

    const started = performance.now();
    try {
      await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    } finally {
      globalThis.fetch = realFetch;
    }
    const elapsed = (performance.now() - started) / 1000;
    assert.deepEqual(errors, [], `${errors.length} errors`);
    assert.ok(created.length >= CLIENTS, `only ${created.length} users added`);
    t.diagnostic(`${created.length} users added and followed to successful in ${elapsed.toFixed(1)} s (${(created.length / elapsed).toFixed(0)} users/s, ${(requests / elapsed).toFixed(0)} requests/s, ${CLIENTS} clients)`);

    // Every job created is known, and successful: DescribeJobs by id, 100 at a time.
    const ids = created.map((c) => c.jobId);
    assert.equal(new Set(ids).size, ids.length, 'job ids are unique');
    for (let i = 0; i < ids.length; i += 100) {
      const batch = ids.slice(i, i + 100);
      const request = qc.buildDescribeJobsRequest({ zone: DEMO.zone, jobs: batch, limit: 100 }, credentials, { endpoint: sandbox.url });
      const answer = await (await fetch(request.url)).json();
      assert.equal(answer.ret_code, 0, JSON.stringify(answer).slice(0, 300));
      assert.equal(answer.job_set.length, batch.length);
      for (const job of answer.job_set) assert.equal(job.status, 'successful', job.job_id);
    }
    // Every user exists exactly once on its cluster, and no other user appeared.
    const { clusters, jobs } = await sandbox.users();
    assert.equal(jobs, created.length, 'the sandbox holds exactly the jobs created');
    const users = (id) => clusters.find((c) => c.cluster_id === id).users.map((u) => u.name);
    for (const [clusterId, clickhouse, initial] of [[DEMO.clickhouseCluster, true, 'default'], [DEMO.ehpcCluster, false, 'admin']]) {
      const names = users(clusterId);
      const expected = created.filter((c) => c.clickhouse === clickhouse).map((c) => c.name);
      assert.equal(names.length, expected.length + 1, `${clusterId}: ${names.length} users for ${expected.length} added`);
      assert.deepEqual(new Set(names), new Set([initial, ...expected]));
    }
    assert.deepEqual(unhandled.map(String), []);
  } finally {
    await sandbox.stop();
  }
});
