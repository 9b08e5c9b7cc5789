// errors.js: what the page keeps of a failure.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'qingcloud-useradd';
import { describeError } from '../../www/errors.js';

test('a package error keeps its code and ret_code; anything else is unknown, with its text', async () => {
  const refused = await api.addClickHouseUser(
    { cluster: 'cl-abcdefgh', zone: 'pek3', userName: '1bad', userPassword: 'Pass-word-1', userNetworks: '::1' },
    { accessKeyId: 'AKID', secretAccessKey: 'secret' },
  ).catch((error) => error);
  assert.deepEqual(describeError(refused, api.isQingCloudError), { code: 'invalid_input', message: refused.message, retCode: undefined });
  assert.deepEqual(describeError(refused), { code: 'unknown', message: refused.message }, 'not told how to know a package error');
  assert.deepEqual(describeError(new TypeError('x is not a function'), api.isQingCloudError), { code: 'unknown', message: 'x is not a function' });
  assert.deepEqual(describeError('plain text'), { code: 'unknown', message: 'plain text' });
});
