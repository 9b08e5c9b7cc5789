// The /web entry straight from the installed package, by URL, in the page and in a module worker.
import init, { addClickHouseUser, waitForJob, isQingCloudError, validateClickHouseUser } from '/node_modules/qingcloud-useradd/pkg/web/index.js';
import { addUser } from '../app/add-user.js';

const worker = new Worker('worker.js', { type: 'module' });
const workerValidates = new Promise((resolve) => { worker.onmessage = (event) => resolve(event.data); });
await init();
const result = await addUser({ addClickHouseUser, waitForJob, isQingCloudError, validateClickHouseUser });
document.body.dataset.result = JSON.stringify({ ...result, worker: await workerValidates });
