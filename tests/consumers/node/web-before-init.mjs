// qingcloud-useradd/web in Node, called before and after initSync(): prints what each call did.
import { readFileSync } from 'node:fs';
import { addClickHouseUser, initSync, isQingCloudError, validateClickHouseUser } from 'qingcloud-useradd/web';

const user = { cluster: 'cl-sandbox1', zone: 'pek3', userName: 'analyst', userPassword: 'S3cure-pass', userNetworks: ['10.0.0.0/8'] };
const credentials = { accessKeyId: 'SANDBOXACCESSKEYID01', secretAccessKey: 'sandbox-secret-access-key' };
const outcome = (error) => ({ isQingCloudError: isQingCloudError(error), name: error.name, code: error.code, message: error.message });

const out = {};
try {
  validateClickHouseUser(user, { lang: 'zh' });
} catch (error) {
  out.syncBeforeInit = outcome(error);
}
out.asyncBeforeInit = await addClickHouseUser(user, credentials).then(() => 'resolved', outcome);

initSync({ module: readFileSync(new URL(import.meta.resolve('qingcloud-useradd/qingcloud_useradd_bg.wasm'))) });
out.afterInit = validateClickHouseUser(user).ok;
console.log(JSON.stringify(out));
