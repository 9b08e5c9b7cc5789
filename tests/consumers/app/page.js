// The README's first example in a page built by Vite or webpack: the bare import, then init().
import init, { addClickHouseUser, waitForJob, isQingCloudError, validateClickHouseUser } from 'qingcloud-useradd';
import { addUser } from './add-user.js';

await init();
const result = await addUser({ addClickHouseUser, waitForJob, isQingCloudError, validateClickHouseUser });
document.body.dataset.result = JSON.stringify(result);
