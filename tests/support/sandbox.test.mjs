// node --test tests/support/sandbox.test.mjs
// The helper itself, and the sandbox checked by an independent signer written here with
// node:crypto (not the crate), following QingCloud's signature documentation.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { DEMO, demoConfig, startSandbox } from './sandbox.mjs';

// Python's urllib.parse.quote(value, safe='-_~'): encodeURIComponent also leaves !'()* alone.
const quote = (value) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function signedIaasUrl(base, params, secret, method = 'GET') {
  const all = {
    ...params,
    zone: DEMO.zone,
    access_key_id: DEMO.accessKeyId,
    signature_method: 'HmacSHA256',
    signature_version: '1',
    version: '1',
    time_stamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  const query = Object.keys(all).sort().map((k) => `${quote(k)}=${quote(all[k])}`).join('&');
  const signature = createHmac('sha256', secret).update(`${method}\n/iaas/\n${query}`).digest('base64');
  return { url: `${base}/iaas/?${query}&signature=${quote(signature)}`, query, signature };
}

test('starts on a free port, answers, logs and stops', async () => {
  const sandbox = await startSandbox({ config: demoConfig({ jobDelayMs: 30 }) });
  try {
    assert.match(sandbox.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(sandbox.port > 0);
    const health = await fetch(`${sandbox.url}/_sandbox/health`);
    assert.equal(health.status, 200);

    const serviceParams = JSON.stringify({ user_networks: '::/0', user_password: 'Secret123', user_name: 'nodeuser' });
    const add = signedIaasUrl(sandbox.url, {
      action: 'RunClusterCustomService',
      cluster: DEMO.clickhouseCluster,
      service: 'add_users',
      service_params: serviceParams,
    }, DEMO.secretAccessKey);
    const added = await (await fetch(add.url)).json();
    assert.equal(added.ret_code, 0, JSON.stringify(added));
    assert.equal(added.action, 'RunClusterCustomServiceResponse');

    // POST with the same parameters in a form body, signed with POST.
    const post = signedIaasUrl(sandbox.url, { action: 'DescribeJobs', 'jobs.1': added.job_id }, DEMO.secretAccessKey, 'POST');
    const form = `${post.query}&signature=${quote(post.signature)}`;
    const described = await (await fetch(`${sandbox.url}/iaas/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    })).json();
    assert.equal(described.ret_code, 0, JSON.stringify(described));
    assert.equal(described.job_set[0].job_id, added.job_id);

    const wrong = signedIaasUrl(sandbox.url, { action: 'DescribeJobs' }, 'wrong-secret');
    assert.equal((await (await fetch(wrong.url)).json()).ret_code, 1200);

    const requests = await sandbox.requests();
    assert.deepEqual(requests.map((r) => [r.action, r.ret_code]), [
      ['RunClusterCustomService', 0],
      ['DescribeJobs', 0],
      ['DescribeJobs', 1200],
    ]);
    assert.equal(requests[0].access_key_id, DEMO.accessKeyId);
    const everything = JSON.stringify(requests) + sandbox.logs().join('\n');
    for (const secret of [DEMO.secretAccessKey, 'Secret123', add.signature, 'service_params']) {
      assert.ok(!everything.includes(secret), `${secret} leaked`);
    }

    await sandbox.setFaults({ busy_ratio: 1 });
    const busy = await (await fetch(signedIaasUrl(sandbox.url, { action: 'DescribeJobs' }, DEMO.secretAccessKey).url)).json();
    assert.equal(busy.ret_code, 5100);
    await sandbox.setFaults({});
    await sandbox.reset({ state: true });
    assert.deepEqual(await sandbox.requests(), []);
  } finally {
    await sandbox.stop();
  }
  assert.notEqual(sandbox.process.exitCode ?? sandbox.process.signalCode, null);
  await assert.rejects(fetch(`${sandbox.url}/_sandbox/health`));
});

test('the demo account is used without a config', async () => {
  const sandbox = await startSandbox();
  try {
    const users = await sandbox.users();
    assert.deepEqual(users.clusters.map((c) => c.cluster_id), [DEMO.clickhouseCluster, DEMO.ehpcCluster]);
  } finally {
    await sandbox.stop();
  }
});

test('a bad config is reported, not hung on', async () => {
  await assert.rejects(startSandbox({ config: { accounts: [] } }), /exited .*before listening[\s\S]*no account/);
});
