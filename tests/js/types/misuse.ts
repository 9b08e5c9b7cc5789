// Misuse the declarations must reject: each line marked `// error:` is one type error.
import { addClickHouseUsers, buildClickHouseAddUsersRequest, validateEhpcUser, waitForJob, type Credentials } from 'qingcloud-useradd';

const credentials: Credentials = { accessKeyId: 'AK', secretAccessKey: 'SK' };
validateEhpcUser({ clusterId: 'ehpc-8jqdq0mz', zone: 'jn1a', username: 'u' }); // error: password missing
validateEhpcUser({ clusterId: 'ehpc-8jqdq0mz', zone: 'jn1a', username: 'u', password: 'p' }, { lang: 'fr' }); // error: no such language
buildClickHouseAddUsersRequest({ cluster: 'cl-yxgxofd3', zone: 'pek3', userName: 'u', userPassword: 'p', userNetworks: 5 }, credentials); // error: networks are strings
buildClickHouseAddUsersRequest({ cluster: 'cl-yxgxofd3', zone: 'pek3', userName: 'u', userPassword: 'p', userNetworks: '' }, credentials, { method: 'PUT' }); // error: GET or POST
waitForJob('j-1', { zone: 'pek3' }); // error: credentials missing
const status: 'done' = (await waitForJob('j-1', { zone: 'pek3', credentials })).status; // error: not a job status
await addClickHouseUsers([], credentials, { previous: [{ index: 0, status: 'done' }] }); // error: not a row status
await addClickHouseUsers([], credentials, { concurrency: 'fast' }); // error: a number or 'auto'
export { status };
