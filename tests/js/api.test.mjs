// The built package's JS API, imported by its own name as a user would (Node picks pkg/node).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as qc from 'qingcloud-useradd';
import { initSync } from 'qingcloud-useradd/web';
import { startScriptedServer } from './scripted-server.mjs';
import { gzipSync } from 'node:zlib';

const credentials = { accessKeyId: 'QYACCESSKEYIDEXAMPLE', secretAccessKey: 'SECRET-never-shown' };
const clickhouse = { cluster: 'cl-yxgxofd3', zone: 'pek3', userName: 'testuser', userPassword: 'Test123', userNetworks: '::/0' };
const ehpc = { clusterId: 'ehpc-8jqdq0mz', zone: 'jn1a', username: 'isabel', password: 'kUISjs@kkkkkk!' };
const fixed = { timestamp: '2026-11-23T08:31:00Z', reqId: '0123456789abcdef0123456789abcdef' };

/** Asserts `promise` rejects with a QingCloudError of `code`, and returns the error. */
async function rejectsWith(promise, code) {
  try {
    await promise;
  } catch (error) {
    assert.ok(qc.isQingCloudError(error), `not a QingCloudError: ${error}`);
    assert.equal(error.code, code, error.message);
    assert.ok(!String(error.message).includes(credentials.secretAccessKey));
    return error;
  }
  assert.fail(`expected a ${code} rejection`);
}

describe('validation', () => {
  test('the documented examples pass, with their warnings', () => {
    for (const userPassword of ['Test123', 'QQ11123']) {
      const report = qc.validateClickHouseUser({ ...clickhouse, userPassword });
      assert.equal(report.ok, true);
      assert.deepEqual(report.warnings.map((w) => w.code), ['short_password', 'all_networks']);
    }
    assert.deepEqual(qc.validateEhpcUser(ehpc), { ok: true, errors: [], warnings: [] });
  });

  test('every broken rule is reported with field, code and message in the chosen language', () => {
    const input = { cluster: 'cl-BAD', zone: 'PEK', userName: '1user', userPassword: 'pass word', userNetworks: ['10.0.0.0/33', 'nope'] };
    const en = qc.validateClickHouseUser(input, { lang: 'en' });
    assert.equal(en.ok, false);
    assert.deepEqual(en.errors.map((e) => [e.field, e.code]), [
      ['cluster', 'cluster_format'], ['zone', 'zone_format'], ['user_name', 'starts_with_digit'],
      ['user_password', 'invalid_characters'], ['user_networks', 'invalid_prefix'], ['user_networks', 'invalid_network'],
    ]);
    const zh = qc.validateClickHouseUser(input, { lang: 'zh' });
    assert.deepEqual(zh.errors.map((e) => e.code), en.errors.map((e) => e.code));
    assert.match(zh.errors[2].message, /^user_name 不能以数字开头/);
    const ehpcReport = qc.validateEhpcUser({ ...ehpc, username: 'toolongname', password: 'short', mod: '800' });
    assert.deepEqual(ehpcReport.errors.map((e) => [e.field, e.code]), [['username', 'too_long'], ['password', 'too_short'], ['mod', 'mod_format']]);
  });

  test('a value of the wrong type is refused, naming the field', () => {
    assert.throws(() => qc.validateClickHouseUser({ ...clickhouse, userName: 42 }), (e) => qc.isQingCloudError(e) && e.code === 'invalid_input' && /userName/.test(e.message));
    assert.throws(() => qc.validateEhpcUser('isabel'), (e) => e.code === 'invalid_input');
    // A value nested 100,000 deep, or a very long list, is refused by its kind, never printed.
    let deep = [];
    for (let depth = 0; depth < 100_000; depth += 1) deep = [deep];
    const long = new Array(1_000_000).fill(['x']);
    for (const bad of [{ userName: deep }, { userNetworks: [deep] }, { userNetworks: long }, { zone: { a: deep } }]) {
      assert.throws(() => qc.buildClickHouseAddUsersRequest({ ...clickhouse, ...bad }, credentials), (e) => qc.isQingCloudError(e) && e.code === 'invalid_input' && e.message.length < 200);
    }
    assert.throws(() => qc.buildDescribeJobsRequest({ zone: 'pek3', jobs: deep }, credentials), (e) => e.code === 'invalid_input');
    // With 100,000 other properties, the wrong one is not looked for (each look reads the argument
    // again): the error names the argument instead.
    const crowded = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`extra${i}`, i]));
    assert.throws(() => qc.validateClickHouseUser({ ...crowded, ...clickhouse, userNetworks: 42 }), (e) => e.code === 'invalid_input' && /^Invalid input: the ClickHouse user: .*invalid type/.test(e.message));
    assert.equal(qc.validateClickHouseUser({ ...crowded, ...clickhouse }).ok, true);
    assert.equal(qc.validateClickHouseUser(clickhouse).ok, true);
  });

  test('networks past their bounds are one clear error, and what is past a list bound is not read', () => {
    // A list: read up to 10,000 items, refused at the next one.
    const items = (n) => ({ ...clickhouse, userNetworks: new Array(n).fill('10.0.0.1') });
    assert.equal(qc.validateClickHouseUser(items(10_000)).errors[0].code, 'too_long');
    for (const n of [10_001, 5_000_000]) {
      assert.throws(() => qc.validateClickHouseUser(items(n)), (e) => e.code === 'invalid_input' && /userNetworks: .*at most 10000 items/.test(e.message));
    }
    // Text: past 16,384 characters, one error, however many networks and repeats it holds.
    for (const lang of ['en', 'zh']) {
      const report = qc.validateClickHouseUser({ ...clickhouse, userNetworks: '10.0.0.1;'.repeat(1_000_000) }, { lang });
      assert.deepEqual(report.errors.map((e) => [e.field, e.code]), [['user_networks', 'too_long']]);
      assert.deepEqual(report.warnings.filter((w) => w.field === 'user_networks'), []);
      assert.match(report.errors[0].message, lang === 'en' ? /at most 16384 characters/ : /最多只能有 16384 个字符/);
    }
    const most = Array.from({ length: 256 }, (_, i) => `fd00:${i.toString(16)}:ffff:ffff:ffff:ffff:ffff:ffff/128`).join('\n');
    assert.equal(qc.validateClickHouseUser({ ...clickhouse, userNetworks: most }).ok, true);
  });

  test('getters are read like plain properties, even one that calls back into the module; one that throws is refused', () => {
    const user = {
      ...clickhouse,
      // Read while the module is reading this object: the inner call needs the same property names.
      get userName() {
        const inner = qc.buildClickHouseAddUsersRequest({ ...clickhouse, userName: 'inner_user' }, credentials, fixed);
        return inner.url.includes('inner_user') ? 'outer_user' : 'wrong';
      },
    };
    const request = qc.buildClickHouseAddUsersRequest(user, credentials, fixed);
    assert.match(request.url, /outer_user/);
    assert.equal(qc.validateClickHouseUser(user).ok, true);
    // A getter that throws is a refused argument, not an exception through the module, which keeps working.
    const throwing = { ...ehpc, get zone() { throw new Error('no zone'); } };
    for (let round = 0; round < 1000; round += 1) {
      assert.throws(() => qc.validateEhpcUser(throwing), (e) => qc.isQingCloudError(e) && e.code === 'invalid_input' && /EHPC user could not be read/.test(e.message));
    }
    const proxy = new Proxy({}, { ownKeys() { throw new Error('trap'); } });
    assert.throws(() => qc.buildEhpcAddUserRequest(proxy, credentials, fixed), (e) => e.code === 'invalid_input');
    assert.deepEqual(qc.validateEhpcUser(ehpc), { ok: true, errors: [], warnings: [] });
  });

  test('an argument that is not an object (or null or undefined) is refused, whichever argument it is', () => {
    const notObjects = ['cl-yxgxofd3', 5, true, ['a'], () => ({}), class {}, Symbol('s'), 5n];
    const where = [
      ['input', (value) => qc.buildClickHouseAddUsersRequest(value, credentials, fixed), 'invalid_input'],
      ['credentials', (value) => qc.buildEhpcAddUserRequest(ehpc, value, fixed), 'invalid_options'],
      ['options', (value) => qc.buildClickHouseAddUsersRequest(clickhouse, credentials, value), 'invalid_options'],
    ];
    for (const [name, call, code] of where) {
      for (const value of notObjects) {
        assert.throws(() => call(value), (e) => qc.isQingCloudError(e) && e.code === code && /must be an object/.test(e.message), `${name}: ${typeof value}`);
      }
    }
    // null and undefined are an empty argument: a missing user is reported as invalid, missing
    // credentials too, and missing options are the defaults.
    for (const empty of [null, undefined]) {
      assert.throws(() => qc.buildClickHouseAddUsersRequest(empty, credentials, fixed), (e) => e.code === 'invalid_input' && e.errors.some((issue) => issue.code === 'required'));
      assert.throws(() => qc.buildEhpcAddUserRequest(ehpc, empty, fixed), (e) => e.code === 'invalid_options' && /accessKeyId/.test(e.message));
      assert.equal(qc.buildClickHouseAddUsersRequest(clickhouse, credentials, empty).method, 'GET');
    }
  });

  test('refused arguments and options are described in the chosen language, naming the field and the rule', async () => {
    const zh = { ...fixed, lang: 'zh' };
    const thrown = (call, code) => {
      try {
        call();
      } catch (error) {
        assert.ok(qc.isQingCloudError(error) && error.code === code, `${error.code}: ${error.message}`);
        return error.message;
      }
      assert.fail(`expected ${code}`);
    };
    const cases = [
      [() => qc.validateClickHouseUser({ ...clickhouse, userName: 5 }, { lang: 'zh' }), 'invalid_input', '输入无效：userName：类型不对，应为字符串，而不是数字'],
      [() => qc.validateEhpcUser('isabel', { lang: 'zh' }), 'invalid_input', '输入无效：EHPC 用户须为对象'],
      [() => qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { ...zh, method: 'PUT' }), 'invalid_options', '选项无效：method 须为 GET 或 POST'],
      // A field of the wrong type: the options' `lang` is still read on its own.
      [() => qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { ...zh, endpoint: 5 }), 'invalid_options', '选项无效：endpoint：类型不对，应为字符串，而不是数字'],
      [() => qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { ...zh, endpoint: 'ftp://x' }), 'invalid_options', '选项无效：endpoint 须为 http:// 或 https:// 网址，且不含查询参数或凭据'],
      [() => qc.buildEhpcAddUserRequest(ehpc, { accessKeyId: '', secretAccessKey: 'x' }, zh), 'invalid_options', '选项无效：credentials.accessKeyId 须为非空字符串'],
      [() => qc.buildEhpcAddUserRequest(ehpc, credentials, { lang: 'zh', timestamp: 'yesterday' }), 'invalid_options', '选项无效：timestamp 须为 Date、毫秒数或 YYYY-MM-DDTHH:MM:SSZ，且在 0000 到 9999 年之间'],
      [() => qc.buildDescribeJobsRequest({ zone: 'pek3', jobs: [] }, credentials, zh), 'invalid_options', '选项无效：jobs 须列出 1 到 100 个任务 ID'],
      [() => qc.buildDescribeJobsRequest({ zone: 'pek3', jobs: ['j-1'], limit: 2.5 }, credentials, zh), 'invalid_input', '输入无效：limit：应为整数'],
    ];
    for (const [call, code, message] of cases) {
      assert.equal(thrown(call, code), message);
    }
    const sending = [
      [qc.addEhpcUser(ehpc, credentials, { lang: 'zh', maxAttempts: 0 }), '选项无效：maxAttempts 须为 1 到 100 之间的整数'],
      [qc.addClickHouseUsers('rows', credentials, { lang: 'zh' }), '输入无效：rows 须为列表'],
      [qc.addClickHouseUsers([], credentials, { lang: 'zh', onInvalid: 'ignore' }), "选项无效：onInvalid 须为 'stop' 或 'skip'"],
      [qc.waitForJob('j-1', { credentials, zone: 'pek3', lang: 'zh', intervalMs: -1 }), '选项无效：intervalMs 须为 0 到 2147483647 之间的整数'],
    ];
    for (const [promise, message] of sending) {
      assert.equal((await rejectsWith(promise, message.startsWith('输入') ? 'invalid_input' : 'invalid_options')).message, message);
    }
    // English stays as it was, and options that cannot be read at all are refused in English.
    assert.equal(thrown(() => qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { method: 'PUT' }), 'invalid_options'), 'Invalid options: method must be GET or POST');
    assert.equal(thrown(() => qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { lang: 5, endpoint: 5 }), 'invalid_options'), 'Invalid options: lang: invalid type: a number, expected a string');
  });
});

describe('encoding and building', () => {
  test('service_params of the documented example is exact', () => {
    assert.equal(
      qc.encodeServiceParams({ userName: 'testuser', userPassword: 'Test123', userNetworks: ['::/0'] }),
      '%7B%22user_networks%22%3A%22%3A%3A%2F0%22%2C%22user_password%22%3A%22Test123%22%2C%22user_name%22%3A%22testuser%22%7D',
    );
    assert.equal(
      qc.encodeServiceParams({ userName: 'u', userPassword: 'p', userNetworks: ' 10.0.0.0/8 ;\n10.0.0.0/8; ::1 ' }),
      qc.encodeServiceParams({ userName: 'u', userPassword: 'p', userNetworks: ['10.0.0.0/8', '::1'] }),
    );
  });

  test('GET is the default, POST keeps the password out of the URL, and output is reproducible', () => {
    const get = qc.buildClickHouseAddUsersRequest(clickhouse, credentials, fixed);
    assert.equal(get.method, 'GET');
    assert.equal(get.body, null);
    assert.ok(get.url.startsWith('https://api.qingcloud.com/iaas/?access_key_id=QYACCESSKEYIDEXAMPLE&action=RunClusterCustomService'));
    assert.deepEqual(qc.buildClickHouseAddUsersRequest(clickhouse, credentials, fixed), get);
    const post = qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { ...fixed, method: 'POST', endpoint: 'http://127.0.0.1:8080/' });
    assert.equal(post.url, 'http://127.0.0.1:8080/iaas/');
    assert.equal(post.headers['Content-Type'], 'application/x-www-form-urlencoded');
    assert.ok(post.body.includes('service_params=%7B'));
    for (const request of [get, post]) assert.ok(!JSON.stringify(request).includes(credentials.secretAccessKey));
  });

  test('a Date, milliseconds or a string time stamp sign the same request', () => {
    const at = '2026-11-23T08:31:00Z';
    const byString = qc.buildEhpcAddUserRequest(ehpc, credentials, { timestamp: at });
    assert.deepEqual(qc.buildEhpcAddUserRequest(ehpc, credentials, { timestamp: new Date(at) }), byString);
    assert.deepEqual(qc.buildEhpcAddUserRequest(ehpc, credentials, { timestamp: Date.parse(at) }), byString);
    assert.ok(byString.url.includes('timestamp=2026-11-23T08%3A31%3A00Z&'));
    const withoutStamp = qc.buildClickHouseAddUsersRequest(clickhouse, credentials);
    assert.match(withoutStamp.url, /req_id=[0-9a-f]{32}&/);
    assert.notEqual(withoutStamp.url, qc.buildClickHouseAddUsersRequest(clickhouse, credentials).url.replace(/./, 'x'));
  });

  test('DescribeJobs numbers its job ids', () => {
    const request = qc.buildDescribeJobsRequest({ zone: 'pek3', jobs: ['j-a', 'j-b'] }, credentials, fixed);
    assert.ok(request.url.includes('action=DescribeJobs&jobs.1=j-a&jobs.2=j-b&'));
  });

  test('bad options and credentials are refused before anything is built', () => {
    for (const [options, field] of [[{ endpoint: 'ftp://x' }, 'endpoint'], [{ method: 'PUT' }, 'method'], [{ timestamp: 'soon' }, 'timestamp'], [{ reqId: '12' }, 'reqId']]) {
      assert.throws(() => qc.buildClickHouseAddUsersRequest(clickhouse, credentials, options), (e) => e.code === 'invalid_options' && e.message.includes(field));
    }
    assert.throws(() => qc.buildEhpcAddUserRequest(ehpc, { accessKeyId: 'AK' }), (e) => e.code === 'invalid_options' && /secretAccessKey/.test(e.message));
    // A time stamp the signed format cannot write (years 0000 to 9999) is refused, not wrapped.
    for (const timestamp of [new Date(8.64e15), 1e300, -1e15, new Date(NaN), Infinity]) {
      assert.throws(() => qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { timestamp }), (e) => e.code === 'invalid_options' && /timestamp .*years 0000 to 9999/.test(e.message));
    }
    const latest = qc.buildEhpcAddUserRequest(ehpc, credentials, { timestamp: new Date('9999-12-31T23:59:59.999Z') });
    assert.ok(latest.url.includes('timestamp=9999-12-31T23%3A59%3A59Z'), latest.url);
  });

  test('an endpoint is not quoted back: it may hold a user name and password', () => {
    const error = (() => { try { qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { endpoint: 'https://AK:hunter2@api.qingcloud.com' }); } catch (e) { return e; } })();
    assert.equal(error.code, 'invalid_options');
    assert.match(error.message, /endpoint must be an http:\/\/ or https:\/\/ URL/);
    assert.ok(!error.message.includes('hunter2'), error.message);
  });

  test('the preview masks the signature and passwords and gives a curl command', () => {
    for (const request of [
      qc.buildClickHouseAddUsersRequest(clickhouse, credentials, fixed),
      qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { ...fixed, method: 'POST' }),
      qc.buildEhpcAddUserRequest(ehpc, credentials, fixed),
    ]) {
      const preview = qc.previewRequest(request);
      const shown = JSON.stringify(preview);
      const signature = decodeURIComponent(decodeURIComponent((request.body ?? request.url).split('signature=')[1]));
      for (const secret of [signature, 'Test123', ehpc.password, credentials.secretAccessKey]) assert.ok(!shown.includes(secret), secret);
      assert.ok(shown.includes('REDACTED'));
      assert.ok(preview.curl.startsWith(`curl -X ${request.method} '`));
    }
    // A request of another method is not shown as a GET.
    const built = qc.buildEhpcAddUserRequest(ehpc, credentials, fixed);
    for (const method of ['DELETE', 'GET\nX', '', undefined]) {
      assert.throws(() => qc.previewRequest({ ...built, method }), (e) => e.code === 'invalid_input' && /method must be GET or POST/.test(e.message));
    }
    assert.equal(qc.previewRequest({ ...built, method: 'post' }).method, 'POST');
  });
});

/** Starts scripted servers for one suite and stops them after it. */
function scriptedServers() {
  const servers = [];
  after(() => Promise.all(servers.map((s) => s.stop())));
  return async (answers) => {
    const started = await startScriptedServer(answers);
    servers.push(started);
    return started;
  };
}

describe('sending', () => {
  const server = scriptedServers();
  const ok = { body: { action: 'RunClusterCustomServiceResponse', cluster_id: 'cl-yxgxofd3', job_id: 'j-kawf11u376l', service: 'add_users', ret_code: 0 } };

  test('success resolves to the response with camelCase keys; POST sends the form body', async () => {
    const s = await server([ok]);
    const response = await qc.addClickHouseUser(clickhouse, credentials, { endpoint: s.url, method: 'POST' });
    assert.deepEqual(response, { action: 'RunClusterCustomServiceResponse', clusterId: 'cl-yxgxofd3', jobId: 'j-kawf11u376l', service: 'add_users', retCode: 0 });
    assert.equal(s.received.length, 1);
    assert.equal(s.received[0].url, '/iaas/');
    assert.ok(s.received[0].body.includes('action=RunClusterCustomService'));
    assert.ok(!s.received[0].url.includes('Test123'));
  });

  test('EHPC posts its JSON body to /api/user/addUser', async () => {
    const s = await server([{ body: { action: 'HpcUserAddUserResponse', job_id: 'j-2awn7xwq815', ret_code: 0 } }]);
    const response = await qc.addEhpcUser({ ...ehpc, mod: '700' }, credentials, { endpoint: s.url });
    assert.equal(response.jobId, 'j-2awn7xwq815');
    assert.ok(s.received[0].url.startsWith('/api/user/addUser?timestamp='));
    assert.deepEqual(JSON.parse(s.received[0].body), { cluster_id: 'ehpc-8jqdq0mz', mod: '700', password: 'kUISjs@kkkkkk!', username: 'isabel', zone: 'jn1a' });
  });

  test('invalid input rejects with every error and sends nothing', async () => {
    const s = await server([ok]);
    const error = await rejectsWith(qc.addClickHouseUser({ ...clickhouse, userName: '' }, credentials, { endpoint: s.url }), 'invalid_input');
    assert.deepEqual(error.errors.map((e) => e.code), ['required']);
    await rejectsWith(qc.addEhpcUser({ ...ehpc, password: 'x' }, credentials, { endpoint: s.url, lang: 'zh' }), 'invalid_input');
    assert.equal(s.received.length, 0);
  });

  test('a non-zero ret_code rejects with retCode, status and the server message', async () => {
    const s = await server([{ body: { ret_code: 1200, message: 'AuthFailure, signature not matched' } }]);
    const error = await rejectsWith(qc.addClickHouseUser(clickhouse, credentials, { endpoint: s.url }), 'api_error');
    assert.equal(error.retCode, 1200);
    assert.equal(error.status, 200);
    assert.match(error.message, /authentication failed.*signature not matched/);
    assert.equal(s.received.length, 1);
  });

  test('busy answers are retried a bounded number of times', async () => {
    const s = await server([{ body: { ret_code: 5100, message: 'busy' } }, { body: { ret_code: 5000 } }, ok]);
    const response = await qc.addClickHouseUser(clickhouse, credentials, { endpoint: s.url, retryBaseMs: 5 });
    assert.equal(response.jobId, 'j-kawf11u376l');
    assert.equal(s.received.length, 3);
    const busy = await server([{ body: { ret_code: 5100 } }]);
    const error = await rejectsWith(qc.addClickHouseUser(clickhouse, credentials, { endpoint: busy.url, retryBaseMs: 5, maxAttempts: 2 }), 'api_error');
    assert.equal(error.retCode, 5100);
    assert.equal(busy.received.length, 2);
  });

  test('HTTP errors, malformed and truncated JSON, resets, timeouts and aborts each end in their error', async () => {
    const cases = [
      [{ status: 502, body: '<html>Bad Gateway</html>' }, 'http_error'],
      [{ body: 'not json' }, 'bad_response'],
      [{ body: '{"ret_code": 0, "job_id": "j-' }, 'bad_response'],
      [{ reset: true }, 'network_error'],
    ];
    for (const [answer, code] of cases) {
      const s = await server([answer]);
      const error = await rejectsWith(qc.addClickHouseUser(clickhouse, credentials, { endpoint: s.url }), code);
      if (answer.status) assert.equal(error.status, answer.status);
    }
    // Send settings that cannot be used are refused with their rule, and nothing is sent.
    const unused = await server([ok]);
    for (const [bad, rule] of [
      [{ timeoutMs: 0 }, /timeoutMs must be a whole number from 1 to 2147483647/],
      [{ timeoutMs: 1e20 }, /timeoutMs must be a whole number from 1 to 2147483647/],
      [{ maxAttempts: Number.NaN }, /maxAttempts must be a whole number from 1 to 100/],
      [{ maxAttempts: 2.5 }, /maxAttempts must be a whole number from 1 to 100/],
      [{ retryBaseMs: -1 }, /retryBaseMs must be a whole number from 0 to 2147483647/],
    ]) {
      for (const add of [() => qc.addClickHouseUser(clickhouse, credentials, { endpoint: unused.url, ...bad }), () => qc.addEhpcUser(ehpc, credentials, { endpoint: unused.url, ...bad })]) {
        const error = await rejectsWith(add(), 'invalid_options');
        assert.match(error.message, rule);
      }
    }
    for (const [bad, rule] of [[{ intervalMs: -5 }, /intervalMs must be a whole number from 0/], [{ timeoutMs: Number.NaN }, /timeoutMs must be a whole number from 1/]]) {
      const error = await rejectsWith(qc.waitForJob('j-1', { zone: 'pek3', credentials, endpoint: unused.url, ...bad }), 'invalid_options');
      assert.match(error.message, rule);
    }
    await rejectsWith(qc.waitForJob('j-'.padEnd(129, 'x'), { zone: 'pek3', credentials, endpoint: unused.url }), 'invalid_options');
    assert.equal(unused.received.length, 0, 'nothing was sent');
    const slow = await server([{ ...ok, delayMs: 2_000 }]);
    const started = Date.now();
    await rejectsWith(qc.addClickHouseUser(clickhouse, credentials, { endpoint: slow.url, timeoutMs: 200 }), 'timeout');
    assert.ok(Date.now() - started < 1_500, 'the time limit holds');
    const controller = new AbortController();
    const pending = qc.addEhpcUser(ehpc, credentials, { endpoint: slow.url, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(pending, 'aborted');
    await rejectsWith(qc.addEhpcUser(ehpc, credentials, { endpoint: slow.url, signal: AbortSignal.abort() }), 'aborted');
  });
});

describe('hostile answers', () => {
  const server = scriptedServers();

  test('a redirect is an error that says so, and the signed POST is not sent on', async () => {
    const target = await server([{ body: { ret_code: 0, job_id: 'j-elsewhere' } }]);
    for (const status of [301, 302, 307, 308]) {
      const s = await server([{ status, headers: { Location: `${target.url}/iaas/` } }]);
      const error = await rejectsWith(qc.addClickHouseUser(clickhouse, credentials, { endpoint: s.url, method: 'POST' }), 'http_error');
      assert.equal(error.status, status);
      assert.match(error.message, /redirect/);
      assert.equal(s.received.length, 1);
    }
    assert.equal(target.received.length, 0, 'nothing reached the redirect target');
  });

  test('an answer longer than 4 MiB is a bad_response that says so, and is not read into the module', async () => {
    // Node's entry has already instantiated the module; initSync hands back its exports.
    const { memory } = initSync({ module: new Uint8Array(0) });
    const padded = (length) => `{"ret_code":0,"action":"HpcUserAddUserResponse","job_id":"j-1","pad":"${'x'.repeat(length)}"}`;
    const before = memory.buffer.byteLength;
    const s = await server([{ body: padded(24 << 20) }, { body: padded(4 << 20) }, { body: padded(3 << 20) }]);
    const error = await rejectsWith(qc.addEhpcUser(ehpc, credentials, { endpoint: s.url }), 'bad_response');
    assert.match(error.message, /longer than 4 MiB/);
    await rejectsWith(qc.addEhpcUser(ehpc, credentials, { endpoint: s.url }), 'bad_response');
    // An answer within the bound is parsed where it is: its undocumented field is never copied in.
    assert.equal((await qc.addEhpcUser(ehpc, credentials, { endpoint: s.url })).jobId, 'j-1');
    assert.ok(memory.buffer.byteLength - before < 1 << 20, `the module's memory grew from ${before} to ${memory.buffer.byteLength} bytes`);
    // Of each text an answer gives, 1,000 characters are kept: a bulk run keeps some for every row.
    const long = await server([{ body: { ret_code: 1400, message: `denied ${'x'.repeat(3 << 20)}` } }]);
    const denied = await rejectsWith(qc.addEhpcUser(ehpc, credentials, { endpoint: long.url }), 'api_error');
    assert.match(denied.message, /denied x+…/);
    assert.ok(denied.message.length < 1_200, `a message of ${denied.message.length} characters`);
  });

  test('an endless or compressed answer is given up at 4 MiB, and no more of it is received', async () => {
    const chunk = Buffer.alloc(64 << 10, 0x20); // JSON's white space, so the prefix is not already garbled
    const most = 256 << 20;
    let sent = 0;
    let closed = false;
    const endless = await server([{
      respond: (res) => new Promise((resolve) => {
        res.on('close', () => { closed = true; resolve(); });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const pump = () => {
          while (!closed && sent < most) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      }),
    }]);
    const started = Date.now();
    const error = await rejectsWith(qc.addEhpcUser(ehpc, credentials, { endpoint: endless.url }), 'bad_response');
    assert.match(error.message, /longer than 4 MiB/);
    while (!closed && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(closed, 'the client closed the connection');
    assert.ok(sent < 32 << 20, `${sent} bytes were sent before the client gave up`);
    // 64 KiB on the wire that inflate to 64 MiB: the bound counts what the answer inflates to.
    const bomb = gzipSync(Buffer.alloc(64 << 20, 0x20));
    const compressed = await server([{
      respond: (res) => new Promise((resolve) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': bomb.length });
        res.end(bomb, resolve);
      }),
    }]);
    await rejectsWith(qc.addEhpcUser(ehpc, credentials, { endpoint: compressed.url }), 'bad_response');
    // A character split between two chunks is decoded whole.
    const bytes = Buffer.from(JSON.stringify({ ret_code: 1400, message: '拒绝访问' }));
    const split = await server([{
      respond: async (res) => {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        const inside = bytes.indexOf(Buffer.from('拒')) + 1; // within the character's three bytes
        res.write(bytes.subarray(0, inside));
        await new Promise((resolve) => setTimeout(resolve, 50));
        res.end(bytes.subarray(inside));
      },
    }]);
    const denied = await rejectsWith(qc.addEhpcUser(ehpc, credentials, { endpoint: split.url }), 'api_error');
    assert.match(denied.message, /拒绝访问/);
    const small = gzipSync(JSON.stringify({ ret_code: 0, action: 'HpcUserAddUserResponse', job_id: 'j-2' }));
    const fine = await server([{ body: small, headers: { 'Content-Encoding': 'gzip' } }]);
    assert.equal((await qc.addEhpcUser(ehpc, credentials, { endpoint: fine.url })).jobId, 'j-2');
  });

  test('answers nested 100,000 deep are refused or ignored, and the module keeps working', async () => {
    const deep = (n) => '['.repeat(n) + ']'.repeat(n);
    const cases = [
      [deep(100_000), 'bad_response'],
      [`{"ret_code":0,"job_id":${deep(100_000)}}`, 'bad_response'],
      [`{"ret_code":${deep(100_000)}}`, 'bad_response'],
    ];
    for (const [body, code] of cases) {
      const s = await server([{ body }]);
      await rejectsWith(qc.addEhpcUser(ehpc, credentials, { endpoint: s.url }), code);
    }
    // Only the documented fields are read: a deep undocumented one is never walked.
    const extra = await server([{ body: `{"ret_code":0,"action":"HpcUserAddUserResponse","job_id":"j-1","extra":${deep(100_000)}}` }]);
    assert.equal((await qc.addEhpcUser(ehpc, credentials, { endpoint: extra.url })).jobId, 'j-1');
    const jobs = await server([{ body: `{"ret_code":0,"job_set":${deep(100_000)}}` }, { body: { ret_code: 0, job_set: [{ job_id: 'j-1', status: 'successful' }] } }]);
    assert.equal((await qc.waitForJob('j-1', { zone: 'pek3', credentials, endpoint: jobs.url, intervalMs: 10 })).status, 'successful');
    assert.equal(qc.validateEhpcUser(ehpc).ok, true);
    assert.ok(qc.buildClickHouseAddUsersRequest(clickhouse, credentials, fixed).url.includes('signature='));
  });
});

describe('hostile arguments', () => {
  const server = scriptedServers();
  // Values whose reading runs code that throws: an exception that went through the module's
  // frames would leave its stack pointer behind, and after some thousand every call would trap.
  const trap = () => {
    throw new Error('trap');
  };
  const traps = { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap, apply: trap };
  const revoked = (target) => {
    const { proxy, revoke } = Proxy.revocable(target, {});
    revoke();
    return proxy;
  };
  const hostile = {
    'revoked proxy': revoked({}),
    'revoked function proxy': revoked(() => {}),
    'revoked list proxy': revoked([]),
    'trapping proxy': new Proxy({}, traps),
    'trapping list proxy': new Proxy(['10.0.0.1'], traps),
    'trapping function proxy': new Proxy(() => {}, traps),
    // Pass `instanceof Date` and `instanceof AbortSignal`, then throw from every property.
    'proxy of a Date': new Proxy(new Date(), { get: trap }),
    'proxy of an AbortSignal': new Proxy(new AbortController().signal, { get: trap }),
  };
  const preview = { method: 'GET', url: 'https://api.qingcloud.com/iaas/?action=DescribeJobs', headers: {} };
  const places = {
    user: (v) => qc.buildClickHouseAddUsersRequest(v, credentials, fixed),
    'user.userName': (v) => qc.buildClickHouseAddUsersRequest({ ...clickhouse, userName: v }, credentials, fixed),
    'user.userNetworks': (v) => qc.validateClickHouseUser({ ...clickhouse, userNetworks: v }),
    'user.userNetworks[1]': (v) => qc.validateClickHouseUser({ ...clickhouse, userNetworks: ['10.0.0.1', v] }),
    'user.mod': (v) => qc.buildEhpcAddUserRequest({ ...ehpc, mod: v }, credentials, fixed),
    credentials: (v) => qc.buildEhpcAddUserRequest(ehpc, v, fixed),
    'credentials.secretAccessKey': (v) => qc.buildEhpcAddUserRequest(ehpc, { ...credentials, secretAccessKey: v }, fixed),
    options: (v) => qc.buildClickHouseAddUsersRequest(clickhouse, credentials, v),
    'options.timestamp': (v) => qc.buildClickHouseAddUsersRequest(clickhouse, credentials, { ...fixed, timestamp: v }),
    'options.endpoint': (v) => qc.buildEhpcAddUserRequest(ehpc, credentials, { ...fixed, endpoint: v }),
    'options.lang': (v) => qc.validateEhpcUser(ehpc, { lang: v }),
    'serviceParams.userNetworks': (v) => qc.encodeServiceParams({ userName: 'a', userPassword: 'b', userNetworks: v }),
    'describeJobs.jobs': (v) => qc.buildDescribeJobsRequest({ zone: 'pek3', jobs: v }, credentials, fixed),
    'describeJobs.jobs[0]': (v) => qc.buildDescribeJobsRequest({ zone: 'pek3', jobs: [v] }, credentials, fixed),
    'request.headers': (v) => qc.previewRequest({ ...preview, headers: v }),
    'request.headers[name]': (v) => qc.previewRequest({ ...preview, headers: { 'x-a': v } }),
  };

  test('anywhere in an argument, they are refused with a QingCloudError or passed over, and 10,000 leave the module working', () => {
    const rounds = 80;
    let calls = 0;
    for (const [place, call] of Object.entries(places)) {
      for (const [kind, value] of Object.entries(hostile)) {
        for (let round = 0; round < rounds; round += 1) {
          calls += 1;
          try {
            call(value);
          } catch (error) {
            assert.ok(qc.isQingCloudError(error), `${place}, ${kind}: ${error}`);
            assert.doesNotMatch(error.message, /trap/, `${place}, ${kind}: the trap's own words are not passed on`);
          }
        }
      }
    }
    assert.ok(calls > 10_000);
    const wrong = (place, value) => {
      try {
        places[place](value);
      } catch (error) {
        return error.message;
      }
      return 'accepted';
    };
    assert.match(wrong('user.userName', hostile['revoked proxy']), /userName: invalid type: a value that threw when read, expected a string/);
    assert.match(wrong('user.userName', hostile['trapping function proxy']), /userName: invalid type: a function, expected a string/);
    assert.match(wrong('user.userNetworks[1]', hostile['trapping proxy']), /userNetworks: invalid type: an object, expected a string/);
    assert.match(wrong('options.timestamp', hostile['proxy of a Date']), /timestamp must be a Date/);
    assert.match(wrong('user', hostile['trapping proxy']), /could not be read/);
    assert.throws(() => qc.buildClickHouseAddUsersRequest({ ...clickhouse, userName: hostile['revoked proxy'] }, credentials, { ...fixed, lang: 'zh' }), (e) => /userName：类型不对，应为字符串，而不是读取时抛出异常的值/.test(e.message));
    // The module still reads, validates and signs as before.
    assert.match(qc.buildClickHouseAddUsersRequest(clickhouse, credentials, fixed).url, /signature=/);
    assert.deepEqual(qc.validateEhpcUser(ehpc), { ok: true, errors: [], warnings: [] });
  });

  test('in rows, previous entries and the signal of the senders, likewise', async () => {
    const added = { body: { action: 'AddUserResponse', job_id: 'j-1', ret_code: 0 } };
    const done = { body: { action: 'DescribeJobsResponse', job_set: [{ job_id: 'j-1', status: 'successful' }], ret_code: 0 } };
    const s = await server((request) => (request.url.includes('DescribeJobs') ? done : added));
    const options = { ...fixed, endpoint: s.url, jobsEndpoint: s.url, onInvalid: 'stop', pollIntervalMs: 10 };
    const places = {
      rows: (v) => qc.addEhpcUsers(v, credentials, options),
      'rows[0]': (v) => qc.addEhpcUsers([v], credentials, options),
      'rows[0].username': (v) => qc.addEhpcUsers([{ ...ehpc, username: v }], credentials, options),
      previous: (v) => qc.addEhpcUsers([ehpc], credentials, { ...options, previous: v }),
      'previous[0]': (v) => qc.addEhpcUsers([ehpc], credentials, { ...options, previous: [v] }),
      'waitForJob options.credentials': (v) => qc.waitForJob('j-1', { zone: 'pek3', credentials: v, endpoint: s.url }),
    };
    for (const [place, call] of Object.entries(places)) {
      for (const [kind, value] of Object.entries(hostile)) {
        for (let round = 0; round < 20; round += 1) {
          await call(value).catch((error) => assert.ok(qc.isQingCloudError(error), `${place}, ${kind}: ${error}`));
        }
      }
    }
    assert.equal(s.received.length, 0, 'nothing was sent');
    // A signal that only passes for an AbortSignal is not one: the request is sent without it.
    for (const signal of [hostile['proxy of an AbortSignal'], hostile['trapping proxy'], hostile['revoked proxy']]) {
      assert.equal((await qc.addEhpcUser(ehpc, credentials, { endpoint: s.url, signal })).retCode, 0);
    }
    await rejectsWith(qc.addEhpcUser(ehpc, credentials, { endpoint: s.url, signal: AbortSignal.abort() }), 'aborted');
    assert.equal((await qc.addEhpcUsers([ehpc], credentials, { ...options, signal: hostile['proxy of an AbortSignal'] })).counts.created, 1);
  });
});

describe('waitForJob', () => {
  const servers = [];
  after(() => Promise.all(servers.map((s) => s.stop())));
  const jobs = (status, extra = {}) => ({ body: { action: 'DescribeJobsResponse', job_set: [{ job_id: 'j-1', job_action: 'RunClusterCustomService', status, create_time: '2026-11-23T08:31:00Z', status_time: '2026-11-23T08:31:01Z', ...extra }], total_count: 1, ret_code: 0 } });

  test('follows the job to successful, reporting each status once', async () => {
    const s = await startScriptedServer([jobs('pending'), jobs('pending'), { status: 503, body: 'busy' }, jobs('working'), jobs('successful')]);
    servers.push(s);
    const seen = [];
    const job = await qc.waitForJob('j-1', { zone: 'pek3', credentials, endpoint: s.url, intervalMs: 10, onStatus: (j) => seen.push(j.status) });
    assert.equal(job.jobId, 'j-1');
    assert.equal(job.status, 'successful');
    assert.equal(job.statusTime, '2026-11-23T08:31:01Z');
    assert.deepEqual(seen, ['pending', 'working', 'successful']);
    assert.ok(s.received.every((r) => r.url.includes('action=DescribeJobs') && r.url.includes('jobs.1=j-1')));
  });

  test('a failed job rejects with its reason', async () => {
    const s = await startScriptedServer([jobs('failed', { error_code: 2110, error_message: 'user testuser already exists' })]);
    servers.push(s);
    const error = await rejectsWith(qc.waitForJob('j-1', { zone: 'pek3', credentials, endpoint: s.url, intervalMs: 10 }), 'job_failed');
    assert.equal(error.retCode, 2110);
    assert.match(error.message, /j-1 failed: user testuser already exists/);
  });

  test('a job that never ends times out; an authentication error stops at once', async () => {
    const s = await startScriptedServer([jobs('working')]);
    servers.push(s);
    await rejectsWith(qc.waitForJob('j-1', { zone: 'pek3', credentials, endpoint: s.url, intervalMs: 20, timeoutMs: 150 }), 'job_timeout');
    const denied = await startScriptedServer([{ body: { ret_code: 1200, message: 'no' } }]);
    servers.push(denied);
    await rejectsWith(qc.waitForJob('j-1', { zone: 'pek3', credentials, endpoint: denied.url, intervalMs: 10 }), 'api_error');
    assert.equal(denied.received.length, 1);
  });
});

test('the package also runs in a worker thread', async () => {
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(`
    import('qingcloud-useradd').then((qc) => {
      const { parentPort } = require('node:worker_threads');
      parentPort.postMessage(qc.validateEhpcUser({ clusterId: 'ehpc-8jqdq0mz', zone: 'jn1a', username: 'isabel', password: 'kUISjs@kkkkkk!' }).ok);
    });`, { eval: true });
  const [ok] = await Promise.all([new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); })]);
  await worker.terminate();
  assert.equal(ok, true);
});
