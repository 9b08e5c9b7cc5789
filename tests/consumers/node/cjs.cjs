// The package from CommonJS: require() of the ES module entry (Node 20.19 and later, 22.12 and
// later). Adds a user against the sandbox at argv[2] under the name argv[3]; prints JSON.
const { addClickHouseUser, waitForJob, buildClickHouseAddUsersRequest } = require('qingcloud-useradd');

const [endpoint, userName] = process.argv.slice(2);
const credentials = { accessKeyId: 'SANDBOXACCESSKEYID01', secretAccessKey: 'sandbox-secret-access-key' };
const user = { cluster: 'cl-sandbox1', zone: 'pek3', userName, userPassword: 'S3cure-pass', userNetworks: ['10.0.0.0/8'] };

async function main() {
  const request = buildClickHouseAddUsersRequest(user, credentials, { method: 'POST', endpoint });
  const { jobId } = await addClickHouseUser(user, credentials, { method: 'POST', endpoint });
  const job = await waitForJob(jobId, { zone: 'pek3', credentials, endpoint, intervalMs: 50 });
  console.log(JSON.stringify({ method: request.method, jobId: job.jobId, status: job.status }));
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
