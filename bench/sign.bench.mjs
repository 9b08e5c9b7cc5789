// Build-and-sign throughput of the package beside two plain JavaScript references doing the same
// job in the same process (one on node:crypto, one on crypto-js), and validation throughput.
// The references must build byte-identical requests; that is checked before anything is timed.
import assert from 'node:assert/strict';
import * as qc from 'qingcloud-useradd';
import { compare, opsPerSecond, median, round } from './lib.mjs';
import { clickhouseRequest, cryptoJs, ehpcRequest, nodeCrypto } from './reference.mjs';

const credentials = { accessKeyId: 'QYACCESSKEYIDEXAMPLE', secretAccessKey: 'SECRETACCESSKEY-for-the-benchmark' };
const clickhouse = { cluster: 'cl-yxgxofd3', zone: 'pek3', userName: 'analyst_01', userPassword: 'Str0ng&Pass/word', userNetworks: '10.0.0.0/8; 192.168.1.0/24;\n::1' };
const ehpc = { clusterId: 'ehpc-8jqdq0mz', zone: 'jn1a', username: 'isabel', password: 'kUISjs@kkkkkk!', mod: '700' };
const options = { endpoint: 'https://api.qingcloud.com', timestamp: '2026-11-23T08:31:00Z', reqId: '0123456789abcdef0123456789abcdef' };
const ehpcOptions = { endpoint: 'https://hpc.api.qingcloud.com', timestamp: '2026-11-23T08:31:00Z' };

export default async function ({ quick }) {
  // Same input, same bytes: GET and POST for ClickHouse, and EHPC, on both references.
  for (const crypto of [nodeCrypto, cryptoJs]) {
    for (const method of ['GET', 'POST']) {
      assert.deepEqual(clickhouseRequest(crypto, clickhouse, credentials, { ...options, method }), qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { ...options, method }));
    }
    assert.deepEqual(ehpcRequest(crypto, ehpc, credentials, ehpcOptions), qc.buildEhpcAddUserRequest(ehpc, credentials, ehpcOptions));
  }

  const timing = quick ? { rounds: 3, ms: 60, warmupMs: 60 } : { rounds: 9, ms: 400, warmupMs: 500 };
  const ch = compare({
    package: () => qc.buildClickHouseAddUsersRequest(clickhouse, credentials, options),
    node_crypto: () => clickhouseRequest(nodeCrypto, clickhouse, credentials, options),
    crypto_js: () => clickhouseRequest(cryptoJs, clickhouse, credentials, options),
  }, timing);
  const eh = compare({
    package: () => qc.buildEhpcAddUserRequest(ehpc, credentials, ehpcOptions),
    node_crypto: () => ehpcRequest(nodeCrypto, ehpc, credentials, ehpcOptions),
    crypto_js: () => ehpcRequest(cryptoJs, ehpc, credentials, ehpcOptions),
  }, timing);

  const validateMs = quick ? 60 : 400;
  const validation = (fn) => median(Array.from({ length: quick ? 3 : 7 }, () => opsPerSecond(fn, validateMs)));
  const validateClickhouse = validation(() => qc.validateClickHouseUser(clickhouse));
  const validateEhpc = validation(() => qc.validateEhpcUser(ehpc));

  const perS = (value) => round(value);
  const ratio = (value) => round(value, 3);
  return [
    { key: 'sign_per_s', value: perS(ch.perSecond.package), unit: 'req/s', label: 'buildClickHouseAddUsersRequest (GET, validated, signed)' },
    { key: 'sign_ref_node_crypto_per_s', value: perS(ch.perSecond.node_crypto), unit: 'req/s', label: '  JS reference on node:crypto, same bytes' },
    { key: 'sign_ref_crypto_js_per_s', value: perS(ch.perSecond.crypto_js), unit: 'req/s', label: '  JS reference on crypto-js, same bytes' },
    { key: 'sign_ratio_vs_node_crypto', value: ratio(ch.ratio('package', 'node_crypto')), unit: 'x', label: '  package / node:crypto reference', note: 'median of per-round ratios' },
    { key: 'sign_ratio_vs_crypto_js', value: ratio(ch.ratio('package', 'crypto_js')), unit: 'x', label: '  package / crypto-js reference', note: 'median of per-round ratios' },
    { key: 'sign_ehpc_per_s', value: perS(eh.perSecond.package), unit: 'req/s', label: 'buildEhpcAddUserRequest (validated, signed)' },
    { key: 'sign_ehpc_ref_node_crypto_per_s', value: perS(eh.perSecond.node_crypto), unit: 'req/s', label: '  JS reference on node:crypto, same bytes' },
    { key: 'sign_ehpc_ref_crypto_js_per_s', value: perS(eh.perSecond.crypto_js), unit: 'req/s', label: '  JS reference on crypto-js, same bytes' },
    { key: 'sign_ehpc_ratio_vs_node_crypto', value: ratio(eh.ratio('package', 'node_crypto')), unit: 'x', label: '  package / node:crypto reference' },
    { key: 'sign_ehpc_ratio_vs_crypto_js', value: ratio(eh.ratio('package', 'crypto_js')), unit: 'x', label: '  package / crypto-js reference' },
    { key: 'validate_clickhouse_per_s', value: perS(validateClickhouse), unit: 'calls/s', label: 'validateClickHouseUser' },
    { key: 'validate_ehpc_per_s', value: perS(validateEhpc), unit: 'calls/s', label: 'validateEhpcUser' },
  ];
}
