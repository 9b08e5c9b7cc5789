// What a TypeScript user writes with the bare import; each wrong call is marked @ts-expect-error,
// so tsc fails if the declarations stop rejecting it.
import init, {
  addClickHouseUser, buildEhpcAddUserRequest, isQingCloudError, validateClickHouseUser, waitForJob,
  type ClickHouseUserInput, type Credentials, type Job, type QingCloudErrorCode,
} from 'qingcloud-useradd';

await init();

const credentials: Credentials = { accessKeyId: 'SANDBOXACCESSKEYID01', secretAccessKey: 'sandbox-secret-access-key' };
const user: ClickHouseUserInput = { cluster: 'cl-sandbox1', zone: 'pek3', userName: 'analyst', userPassword: 'S3cure-pass', userNetworks: ['10.0.0.0/8'] };
const ok: boolean = validateClickHouseUser(user, { lang: 'zh' }).ok;

export async function add(): Promise<Job | QingCloudErrorCode> {
  try {
    const { jobId } = await addClickHouseUser(user, credentials, { method: 'POST', signal: AbortSignal.timeout(5000) });
    return await waitForJob(jobId, { zone: 'pek3', credentials, onStatus: (job: Job) => job.status });
  } catch (error) {
    if (isQingCloudError(error)) return error.code;
    throw error;
  }
}

// @ts-expect-error: userName is a string
validateClickHouseUser({ ...user, userName: 42 });
// @ts-expect-error: the credentials are required
void addClickHouseUser(user);
// @ts-expect-error: lang is 'en' or 'zh'
validateClickHouseUser(user, { lang: 'fr' });
// @ts-expect-error: an EHPC request takes an EHPC input
buildEhpcAddUserRequest(user, credentials);

export { ok };
