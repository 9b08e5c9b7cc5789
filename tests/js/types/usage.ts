// Correct use of the package's API; type-checked by types.test.mjs.
import {
  addClickHouseUser, addEhpcUser, buildClickHouseAddUsersRequest, buildDescribeJobsRequest,
  buildEhpcAddUserRequest, encodeServiceParams, isQingCloudError, previewRequest,
  validateClickHouseUser, validateEhpcUser, waitForJob, addClickHouseUsers, addEhpcUsers,
  type AddUserResponse, type PreviousRow, type Credentials, type Job, type QingCloudErrorCode, type SignedRequest,
  type ValidationReport,
} from 'qingcloud-useradd';

const credentials: Credentials = { accessKeyId: 'AK', secretAccessKey: 'SK' };
const report: ValidationReport = validateClickHouseUser(
  { cluster: 'cl-yxgxofd3', zone: 'pek3', userName: 'u', userPassword: 'p', userNetworks: ['::/0'] },
  { lang: 'zh' },
);
const firstCode: string | undefined = report.errors[0]?.code;
validateEhpcUser({ clusterId: 'ehpc-8jqdq0mz', zone: 'jn1a', username: 'u', password: 'p', mod: '700' });
const encoded: string = encodeServiceParams({ userName: 'u', userPassword: 'p', userNetworks: '::/0' });
const request: SignedRequest = buildClickHouseAddUsersRequest(
  { cluster: 'cl-yxgxofd3', zone: 'pek3', userName: 'u', userPassword: 'p', userNetworks: '::/0' },
  credentials,
  { method: 'POST', timestamp: new Date(), endpoint: 'http://127.0.0.1:8080' },
);
buildEhpcAddUserRequest({ clusterId: 'ehpc-8jqdq0mz', zone: 'jn1a', username: 'u', password: 'p' }, credentials);
buildDescribeJobsRequest({ zone: 'pek3', jobs: ['j-1'] }, credentials, { timestamp: 0 });
const curl: string = previewRequest(request).curl;

async function flow(): Promise<Job | QingCloudErrorCode> {
  try {
    const added: AddUserResponse = await addClickHouseUser(
      { cluster: 'cl-yxgxofd3', zone: 'pek3', userName: 'u', userPassword: 'p', userNetworks: '::/0' },
      credentials,
      { signal: AbortSignal.timeout(1000), timeoutMs: 500, maxAttempts: 2 },
    );
    await addEhpcUser({ clusterId: 'ehpc-8jqdq0mz', zone: 'jn1a', username: 'u', password: 'p' }, credentials);
    return await waitForJob(added.jobId, { zone: 'pek3', credentials, intervalMs: 500, onStatus: (job) => job.status });
  } catch (error) {
    if (isQingCloudError(error)) return error.code;
    throw error;
  }
}

// Resuming: a journal kept from progress events, or an earlier run's results.
async function resume(): Promise<number> {
  const journal: PreviousRow[] = [];
  const first = await addClickHouseUsers([{ userName: 'u', userPassword: 'p', userNetworks: '::/0' }], credentials, {
    cluster: 'cl-yxgxofd3',
    zone: 'pek3',
    concurrency: 'auto',
    maxConcurrency: 8,
    onProgress: ({ phase, row, concurrency }) => {
      const limit: number = concurrency;
      journal[row.index] = { index: row.index, status: row.status, jobId: row.jobId, cluster: 'cl-yxgxofd3', userName: 'u' };
      const done: boolean = phase === 'done' && limit > 0;
      return done;
    },
  });
  await addClickHouseUsers([{ userName: 'u', userPassword: 'p', userNetworks: '::/0' }], credentials, { cluster: 'cl-yxgxofd3', previous: journal });
  const again = await addEhpcUsers([{ username: 'u', password: 'p' }], credentials, { clusterId: 'ehpc-8jqdq0mz', previous: first.results });
  return again.counts.succeeded;
}

export { firstCode, encoded, curl, flow, resume };
