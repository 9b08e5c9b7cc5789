// What each page does with the package's functions: add a ClickHouse user against the sandbox (the
// endpoint and user name come from the query string). Answers the outcome, which the page puts in
// <body data-result> for the test to read.
export async function addUser({ addClickHouseUser, waitForJob, isQingCloudError, validateClickHouseUser }) {
  const query = new URLSearchParams(location.search);
  const endpoint = query.get('endpoint') ?? location.origin;
  const credentials = { accessKeyId: 'SANDBOXACCESSKEYID01', secretAccessKey: 'sandbox-secret-access-key' };
  const user = { cluster: 'cl-sandbox1', zone: 'pek3', userName: query.get('user'), userPassword: 'S3cure-pass', userNetworks: ['10.0.0.0/8'] };
  let result;
  try {
    const report = validateClickHouseUser(user, { lang: 'zh' });
    if (!report.ok) throw new Error(JSON.stringify(report.errors));
    const { jobId } = await addClickHouseUser(user, credentials, { method: 'POST', endpoint });
    const job = await waitForJob(jobId, { zone: 'pek3', credentials, endpoint, intervalMs: 50 });
    result = { jobId: job.jobId, status: job.status };
  } catch (error) {
    result = { error: isQingCloudError(error) ? `${error.code}: ${error.message}` : String(error?.stack ?? error) };
  }
  return result;
}
