// The package's three entries (Node, web, bundler), as they ship, export the same API and
// build the same bytes. The bundler entry imports the .wasm as an ES module, as bundlers do; Node
// does that too behind --experimental-wasm-modules, in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as node from 'qingcloud-useradd';

const root = new URL('../../', import.meta.url);
const credentials = { accessKeyId: 'QYACCESSKEYIDEXAMPLE', secretAccessKey: 'SECRET-never-shown' };
const clickhouse = { cluster: 'cl-yxgxofd3', zone: 'pek3', userName: 'analyst_01', userPassword: 'Str0ng&Pass/word', userNetworks: '10.0.0.0/8' };
const ehpc = { clusterId: 'ehpc-8jqdq0mz', zone: 'jn1a', username: 'isabel', password: 'kUISjs@kkkkkk!' };
const options = { timestamp: '2026-11-23T08:31:00Z', reqId: '0123456789abcdef0123456789abcdef' };

/** What an entry exports, and the two requests it builds, as JSON. */
const probe = `
  const qc = await import(process.argv[1]);
  const [clickhouse, ehpc, credentials, options] = JSON.parse(process.argv[2]);
  console.log(JSON.stringify({
    exports: Object.keys(qc).sort(),
    clickhouse: qc.buildClickHouseAddUsersRequest(clickhouse, credentials, options),
    ehpc: qc.buildEhpcAddUserRequest(ehpc, credentials, options),
  }));`;

function run(entry, flags = []) {
  const args = JSON.stringify([clickhouse, ehpc, credentials, options]);
  const out = execFileSync(process.execPath, [...flags, '--no-warnings', '--input-type=module', '-e', probe, new URL(entry, root).href, args], { encoding: 'utf8' });
  return JSON.parse(out);
}

test('the bundler entry exports what the Node entry does and builds the same requests', () => {
  const expected = run('pkg/node/index.js');
  assert.deepEqual(expected.clickhouse, node.buildClickHouseAddUsersRequest(clickhouse, credentials, options));
  const bundler = run('pkg/bundler/qingcloud_useradd.js', ['--experimental-wasm-modules']);
  assert.deepEqual(bundler.clickhouse, expected.clickhouse);
  assert.deepEqual(bundler.ehpc, expected.ehpc);
  // The Node entry adds only `default` and `initSync` (the web entry's loaders) to the API.
  assert.deepEqual(expected.exports.filter((name) => !['default', 'initSync'].includes(name)), bundler.exports);
});

test('the shipped glue keeps the comment that points at the types', () => {
  for (const file of ['pkg/web/qingcloud_useradd.js', 'pkg/bundler/qingcloud_useradd.js']) {
    const text = readFileSync(new URL(file, root), 'utf8');
    assert.match(text, /^\/\* @ts-self-types="\.\/qingcloud_useradd\.d\.ts" \*\//, file);
  }
});
