// The README's esbuild example: the /web entry, with the .wasm imported as a file (esbuild's file
// loader copies it to the output and gives its path) and its URL handed to init().
import init, { addClickHouseUser, waitForJob, isQingCloudError, validateClickHouseUser } from 'qingcloud-useradd/web';
import wasmPath from 'qingcloud-useradd/qingcloud_useradd_bg.wasm';
import { addUser } from './add-user.js';

await init({ module_or_path: new URL(wasmPath, import.meta.url) });
const result = await addUser({ addClickHouseUser, waitForJob, isQingCloudError, validateClickHouseUser });
document.body.dataset.result = JSON.stringify(result);
