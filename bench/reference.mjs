// Plain JavaScript references for the sign benchmark: the same ClickHouse add_users and EHPC
// addUser requests the package builds, byte for byte, written from QingCloud's signature rules
// with an HMAC (and MD5) supplied by the caller, so that one implementation runs on node:crypto
// and another on crypto-js. They do not validate (the package does): they only encode and sign.
import { createHash, createHmac } from 'node:crypto';
import CryptoJS from 'crypto-js';

/** node:crypto: HMAC-SHA256 in base64, MD5 in hex. */
export const nodeCrypto = {
  hmacBase64: (key, message) => createHmac('sha256', key).update(message).digest('base64'),
  md5Hex: (text) => createHash('md5').update(text).digest('hex'),
};

/** crypto-js: the same two functions. */
export const cryptoJs = {
  hmacBase64: (key, message) => CryptoJS.HmacSHA256(message, key).toString(CryptoJS.enc.Base64),
  md5Hex: (text) => CryptoJS.MD5(text).toString(CryptoJS.enc.Hex),
};

const EXTRA = /[!'()*]/g;
const hex = (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
/** Python's `quote(value, safe='')`: encodeURIComponent also leaves `!'()*` alone. */
const quote = (value) => encodeURIComponent(value).replace(EXTRA, hex);
const quoteKeepSlash = (value) => quote(value).replaceAll('%2F', '/');
const quotePlus = (value) => quote(value).replaceAll('%20', '+');

/** Python's `json.dumps(..., sort_keys=True)` (ensure_ascii) of a flat object of strings. */
function pythonJsonSorted(fields) {
  const ascii = (text) => JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `{${Object.keys(fields).sort().map((key) => `${ascii(key)}: ${ascii(fields[key])}`).join(', ')}}`;
}

/** Networks split at `;` and line breaks, trimmed, deduplicated, joined with `;`. */
function joinNetworks(networks) {
  const chunks = Array.isArray(networks) ? networks : [networks];
  const kept = [];
  for (const entry of chunks.flatMap((chunk) => chunk.split(/[;\n\r]/)).map((e) => e.trim())) {
    if (entry && !kept.includes(entry)) kept.push(entry);
  }
  return kept.join(';');
}

/** `RunClusterCustomService` / `add_users`, as `buildClickHouseAddUsersRequest` builds it. */
export function clickhouseRequest(crypto, input, credentials, { endpoint, timestamp, reqId, method = 'GET' }) {
  const serviceParams = JSON.stringify({
    user_networks: joinNetworks(input.userNetworks),
    user_password: input.userPassword,
    user_name: input.userName,
  });
  const params = [
    ['cluster', input.cluster],
    ['service', 'add_users'],
    ['service_params', serviceParams],
    ['action', 'RunClusterCustomService'],
    ['zone', input.zone],
    ['req_id', reqId],
    ['access_key_id', credentials.accessKeyId],
    ['signature_version', '1'],
    ['version', '1'],
    ['time_stamp', timestamp],
    ['signature_method', 'HmacSHA256'],
  ];
  const query = [...params]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${quote(k)}=${quote(v)}`)
    .join('&');
  const signature = crypto.hmacBase64(credentials.secretAccessKey, `${method}\n/iaas/\n${query}`);
  if (method === 'GET') {
    return { method, url: `${endpoint}/iaas/?${query}&signature=${quotePlus(signature)}`, headers: {}, body: null };
  }
  params.push(['signature', signature]);
  return {
    method,
    url: `${endpoint}/iaas/`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: params.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&'),
  };
}

/** EHPC `POST /api/user/addUser`, as `buildEhpcAddUserRequest` builds it. */
export function ehpcRequest(crypto, input, credentials, { endpoint, timestamp }) {
  const fields = { cluster_id: input.clusterId, password: input.password, username: input.username, zone: input.zone };
  if (input.mod) fields.mod = input.mod;
  const body = pythonJsonSorted(fields);
  const params = [
    ['timestamp', timestamp],
    ['version', '1'],
    ['signature_version', '1'],
    ['signature_method', 'HmacSHA256'],
    ['access_key_id', credentials.accessKeyId],
  ];
  const canonical = params
    .filter(([, v]) => v !== '')
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${quoteKeepSlash(k)}=${quoteKeepSlash(v)}`)
    .join('&');
  const path = '/api/user/addUser';
  const toSign = `POST\n${path}/\n${canonical}\n${crypto.md5Hex(body)}`;
  const signature = crypto.hmacBase64(credentials.secretAccessKey, toSign);
  let query = `timestamp=${quoteKeepSlash(timestamp)}`;
  for (const [k, v] of params.slice(1)) query += `&${k}=${quotePlus(v)}`;
  query += `&signature=${quotePlus(quotePlus(signature))}`;
  return { method: 'POST', url: `${endpoint}${path}?${query}`, headers: { 'Content-Type': 'application/json' }, body };
}
