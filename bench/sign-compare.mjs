// The build-and-sign comparison, shared by Node and the Chromium page (bench/sign.bench.mjs runs
// it in both): the package's two builders beside the references of bench/reference.mjs, on the
// same fixed input (fixed timestamp and req_id, so every side builds the same bytes).
import { compare } from './lib.mjs';
import { clickhouseRequest, ehpcRequest } from './reference.mjs';

const credentials = { accessKeyId: 'QYACCESSKEYIDEXAMPLE', secretAccessKey: 'SECRETACCESSKEY-for-the-benchmark' };
const clickhouse = { cluster: 'cl-yxgxofd3', zone: 'pek3', userName: 'analyst_01', userPassword: 'Str0ng&Pass/word', userNetworks: '10.0.0.0/8; 192.168.1.0/24;\n::1' };
const ehpc = { clusterId: 'ehpc-8jqdq0mz', zone: 'jn1a', username: 'isabel', password: 'kUISjs@kkkkkk!', mod: '700' };
const options = { endpoint: 'https://api.qingcloud.com', timestamp: '2026-11-23T08:31:00Z', reqId: '0123456789abcdef0123456789abcdef' };
const ehpcOptions = { endpoint: 'https://hpc.api.qingcloud.com', timestamp: '2026-11-23T08:31:00Z' };
/** The same users, for the validators' throughput. */
export const users = { clickhouse, ehpc };

/**
 * What each side builds, for the caller to check byte for byte before anything is timed:
 * `{ package: [ClickHouse GET, ClickHouse POST, EHPC], [signer name]: [the same three] }`.
 */
export async function builtRequests(qc, signers) {
  const built = {
    package: [
      qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { ...options, method: 'GET' }),
      qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { ...options, method: 'POST' }),
      qc.buildEhpcAddUserRequest(ehpc, credentials, ehpcOptions),
    ],
  };
  for (const [name, signer] of Object.entries(signers)) {
    built[name] = [
      await clickhouseRequest(signer, clickhouse, credentials, { ...options, method: 'GET' }),
      await clickhouseRequest(signer, clickhouse, credentials, { ...options, method: 'POST' }),
      await ehpcRequest(signer, ehpc, credentials, ehpcOptions),
    ];
  }
  return built;
}

/**
 * Times the package beside every signer's reference, ClickHouse (the default GET) and EHPC apart,
 * in alternating rounds. Answers plain data (it crosses from the page to Node):
 * `{ clickhouse: { perSecond: { package, [name] }, ratio: { [name]: package / name } }, ehpc: ... }`.
 */
export async function compareSigning(qc, signers, timing) {
  const names = Object.keys(signers);
  const run = async (packageCall, referenceCall) => {
    const contenders = { package: packageCall };
    for (const name of names) contenders[name] = () => referenceCall(signers[name]);
    const { perSecond, ratio } = await compare(contenders, timing);
    return { perSecond, ratio: Object.fromEntries(names.map((name) => [name, ratio('package', name)])) };
  };
  return {
    clickhouse: await run(
      () => qc.buildClickHouseAddUsersRequest(clickhouse, credentials, options),
      (signer) => clickhouseRequest(signer, clickhouse, credentials, options),
    ),
    ehpc: await run(
      () => qc.buildEhpcAddUserRequest(ehpc, credentials, ehpcOptions),
      (signer) => ehpcRequest(signer, ehpc, credentials, ehpcOptions),
    ),
  };
}
