// The README's first example in Node (ESM): the bare import, init() (a no-op here), a user added
// against the sandbox at argv[2] under the name argv[3]. Prints the outcome as JSON.
import init, { validateClickHouseUser, addClickHouseUser, waitForJob, isQingCloudError } from 'qingcloud-useradd';

await init();

const [endpoint, userName] = process.argv.slice(2);
const credentials = { accessKeyId: 'SANDBOXACCESSKEYID01', secretAccessKey: 'sandbox-secret-access-key' };
const user = { cluster: 'cl-sandbox1', zone: 'pek3', userName, userPassword: 'S3cure-pass', userNetworks: ['10.0.0.0/8'] };

const report = validateClickHouseUser(user, { lang: 'zh' });
try {
  const { jobId } = await addClickHouseUser(user, credentials, { method: 'POST', endpoint });
  const job = await waitForJob(jobId, { zone: 'pek3', credentials, endpoint, intervalMs: 50 });
  console.log(JSON.stringify({ ok: report.ok, jobId: job.jobId, status: job.status }));
} catch (error) {
  if (isQingCloudError(error)) console.log(JSON.stringify({ error: error.code, message: error.message }));
  else throw error;
}
