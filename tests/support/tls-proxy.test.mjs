// node --test tests/support/tls-proxy.test.mjs
// README.md's "Using the real cloud" command, with a local HTTPS upstream (a sandbox behind TLS,
// its certificate made at start by a test CA) in place of the real endpoints, trusted through
// --upstream-ca: the package's requests go through the proxy, and their signatures verify there.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as qc from 'qingcloud-useradd';
import { DEMO, startSandbox, startTlsUpstream } from './sandbox.mjs';

const credentials = { accessKeyId: DEMO.accessKeyId, secretAccessKey: DEMO.secretAccessKey };

test('the package reaches an HTTPS upstream through the proxy', async () => {
  const upstream = await startTlsUpstream();
  try {
    const proxy = await startSandbox({
      args: ['--www', 'www', '--pkg', 'pkg/web', '--upstream-iaas', upstream.url, '--upstream-ehpc', upstream.url,
        '--upstream-ca', upstream.caFile],
    });
    try {
      const added = await qc.addClickHouseUser({
        cluster: DEMO.clickhouseCluster, zone: DEMO.zone, userName: 'node_tls', userPassword: 'Passw0rd!x', userNetworks: ['::/0'],
      }, credentials, { endpoint: proxy.url, method: 'POST' });
      assert.equal(added.retCode, 0);
      const ehpc = await qc.addEhpcUser({
        clusterId: DEMO.ehpcCluster, zone: DEMO.zone, username: 'nodetls', password: 'kUISjs@kkkkkk!',
      }, credentials, { endpoint: proxy.url });
      assert.match(ehpc.jobId, /^j-/);
      await assert.rejects(
        qc.addClickHouseUser({
          cluster: DEMO.clickhouseCluster, zone: DEMO.zone, userName: 'nobody', userPassword: 'Passw0rd!x', userNetworks: ['::/0'],
        }, { ...credentials, secretAccessKey: 'wrong' }, { endpoint: proxy.url }),
        (error) => error.retCode === 1200,
      );
      assert.deepEqual((await proxy.requests()).map((r) => r.result), ['proxied', 'proxied', 'proxied']);
      // Nothing was created locally: the users live upstream.
      assert.ok(!JSON.stringify(await proxy.users()).includes('node_tls'));
    } finally {
      await proxy.stop();
    }

    // Without --upstream-ca the test CA is not trusted, and the 502 says so.
    const untrusting = await startSandbox({ args: ['--upstream-iaas', upstream.url] });
    try {
      const error = await qc.addClickHouseUser({
        cluster: DEMO.clickhouseCluster, zone: DEMO.zone, userName: 'untrusted', userPassword: 'Passw0rd!x', userNetworks: ['::/0'],
      }, credentials, { endpoint: untrusting.url }).then(() => null, (e) => e);
      assert.ok(error, 'refused');
      const [entry] = await untrusting.requests();
      assert.equal(entry.status, 502);
      assert.ok(untrusting.logs().some((line) => /UnknownIssuer/.test(line)), untrusting.logs().join('\n'));
    } finally {
      await untrusting.stop();
    }
  } finally {
    await upstream.stop();
  }
});
