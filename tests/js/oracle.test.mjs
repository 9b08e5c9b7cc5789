// The built package against the official SDKs, run live: for every case in tests/oracle/cases.json,
// qingcloud-sdk and qingcloud-hpc sign the request with their own code, and the package's output
// must be byte-identical. The committed expected.json (read by the native Rust test) must match too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as qc from 'qingcloud-useradd';

const dir = new URL('../oracle/', import.meta.url);
const cases = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8'));
const sdk = JSON.parse(execFileSync('python3', [new URL('sdk_sign.py', dir).pathname], { input: JSON.stringify(cases) }));

function build(c) {
  const credentials = { accessKeyId: c.access_key_id, secretAccessKey: c.secret_access_key };
  const options = { timestamp: c.time_stamp, reqId: c.req_id, method: c.method };
  switch (c.kind) {
    case 'clickhouse':
      return qc.buildClickHouseAddUsersRequest(
        { cluster: c.cluster, zone: c.zone, userName: c.user_name, userPassword: c.user_password, userNetworks: c.user_networks },
        credentials, options);
    case 'describe_jobs':
      return qc.buildDescribeJobsRequest({ zone: c.zone, jobs: c.jobs, limit: c.limit ?? undefined }, credentials, options);
    default:
      return qc.buildEhpcAddUserRequest(
        { clusterId: c.cluster_id, zone: c.zone, username: c.username, password: c.password, mod: c.mod || undefined },
        credentials, { timestamp: c.time_stamp });
  }
}

test('there are at least 20 varied cases, special characters included', () => {
  assert.ok(cases.length >= 20);
  assert.deepEqual(new Set(cases.map((c) => `${c.kind} ${c.method}`)), new Set(['clickhouse GET', 'clickhouse POST', 'describe_jobs GET', 'describe_jobs POST', 'ehpc POST']));
  assert.ok(cases.some((c) => /["\\\/+=&%]/.test(c.user_password ?? '')));
  assert.ok(cases.some((c) => /[!@#%^&()*]/.test(c.password ?? '')));
});

test('every request is byte-identical to the official SDKs', () => {
  cases.forEach((c, i) => {
    const ours = build(c);
    assert.equal(ours.method, sdk[i].method, `case ${i} method`);
    assert.equal(ours.url, sdk[i].url, `case ${i} url`);
    assert.equal(ours.body, sdk[i].body, `case ${i} body`);
    assert.equal(ours.headers['Content-Type'], sdk[i].content_type, `case ${i} content type`);
  });
});

test('the committed vectors are what the SDKs produce today', () => {
  assert.deepEqual(JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')), sdk);
});
