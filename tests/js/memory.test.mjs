// Long runs keep the module's memory bounded: the allocator (the standard library's dlmalloc)
// must reuse what it frees across calls of every size, valid or not, rather than grow without end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as qc from 'qingcloud-useradd';
import { initSync } from 'qingcloud-useradd/web';

// Node's entry has already instantiated the module; initSync hands back its exports.
const { memory } = initSync({ module: new Uint8Array(0) });
const credentials = { accessKeyId: 'QYACCESSKEYIDEXAMPLE', secretAccessKey: 'SECRET-never-shown' };

let seed = 7;
const random = (n) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const letters = (n) => Array.from({ length: n }, () => String.fromCharCode(97 + random(26))).join('');
const networks = (count) => Array.from({ length: count }, () => `10.${random(256)}.${random(256)}.0/24`).join(';');

/** One round of calls of varied sizes; one in ten has an invalid network, so errors are made too. */
function round(networkCount) {
  const user = {
    cluster: 'cl-yxgxofd3',
    zone: 'pek3',
    userName: `u${letters(1 + random(30))}`,
    userPassword: `P${letters(random(127))}`,
    userNetworks: random(10) ? networks(networkCount) : 'not a network',
  };
  qc.validateClickHouseUser(user);
  try {
    qc.previewRequest(qc.buildClickHouseAddUsersRequest(user, credentials, { method: random(2) ? 'GET' : 'POST' }));
  } catch (error) {
    assert.ok(qc.isQingCloudError(error));
  }
  const ehpc = { clusterId: 'ehpc-8jqdq0mz', zone: 'jn1a', username: `u${letters(random(8))}`, password: `Pw@${letters(9 + random(20))}` };
  qc.validateEhpcUser(ehpc);
  qc.buildEhpcAddUserRequest(ehpc, credentials, {});
}

test('20,000 rounds of calls of mixed sizes leave the memory where the first rounds took it', () => {
  // Warm up, with the largest inputs of the run among them.
  for (let i = 0; i < 200; i++) round(i % 50 === 0 ? 1100 : 1 + random(20));
  const warm = memory.buffer.byteLength;
  for (let i = 0; i < 20000; i++) round(i % 100 === 0 ? 1 + random(1100) : 1 + random(20));
  const after = memory.buffer.byteLength;
  // A page or two of slack for where the large blocks happen to land; a leak or runaway
  // fragmentation (the rounds allocate some 350 MB in all) would be far past it.
  assert.ok(after - warm <= 2 * 65536, `memory grew from ${warm} to ${after} bytes`);
});
