// Plain JavaScript references for the sign benchmark: the same ClickHouse add_users and EHPC
// addUser requests the package builds, byte for byte, written from QingCloud's signature rules
// with an HMAC-SHA256 (and MD5) supplied by a signer, so that one implementation runs on each of
// the libraries a page could use instead of the package: @noble/hashes, WebCrypto, crypto-js (and
// node:crypto in Node, in sign.bench.mjs). They do not validate (the package does): they only
// encode and sign. This module runs unchanged in Node and in a page (bench/browser.mjs maps
// `@noble/hashes/` to node_modules with an import map).
//
// A signer is `{ hmacBase64(key, message), md5Hex(text) }`, on strings; `hmacBase64` may answer
// a promise (WebCrypto), and then the builders answer a promise of the request.
import { hmac } from '@noble/hashes/hmac.js';
import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** Base64 of a few bytes (a 32-byte MAC), as a page writes it without a library. */
const bytesToBase64 = (bytes) => btoa(String.fromCharCode(...bytes));

/** @noble/hashes: HMAC-SHA256 from sha2.js, MD5 from legacy.js. */
export const noble = {
  hmacBase64: (key, message) => bytesToBase64(hmac(sha256, utf8ToBytes(key), utf8ToBytes(message))),
  md5Hex: (text) => bytesToHex(md5(utf8ToBytes(text))),
};

/**
 * WebCrypto: `crypto.subtle.sign` awaited per request. The key is imported once per secret and
 * kept, as a page signing many requests would (that favours the reference). WebCrypto has no MD5,
 * so the EHPC body's MD5 is @noble/hashes' one.
 */
export function webCryptoSigner(subtle = globalThis.crypto.subtle) {
  const encoder = new TextEncoder();
  let imported = { secret: null, key: null };
  return {
    async hmacBase64(secret, message) {
      if (imported.secret !== secret) {
        const key = await subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
        imported = { secret, key };
      }
      return bytesToBase64(new Uint8Array(await subtle.sign('HMAC', imported.key, encoder.encode(message))));
    },
    md5Hex: noble.md5Hex,
  };
}

/** crypto-js, given its module (CommonJS in Node, a global from its script in a page). */
export const cryptoJsSigner = (CryptoJS) => ({
  hmacBase64: (key, message) => CryptoJS.HmacSHA256(message, key).toString(CryptoJS.enc.Base64),
  md5Hex: (text) => CryptoJS.MD5(text).toString(CryptoJS.enc.Hex),
});

/** `assemble(signature)`, or a promise of it when the signer answered a promise. */
const withSignature = (signature, assemble) => (typeof signature === 'string' ? assemble(signature) : signature.then(assemble));

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
export function clickhouseRequest(signer, input, credentials, { endpoint, timestamp, reqId, method = 'GET' }) {
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
  return withSignature(signer.hmacBase64(credentials.secretAccessKey, `${method}\n/iaas/\n${query}`), (signature) => {
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
  });
}

/** EHPC `POST /api/user/addUser`, as `buildEhpcAddUserRequest` builds it. */
export function ehpcRequest(signer, input, credentials, { endpoint, timestamp }) {
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
  const toSign = `POST\n${path}/\n${canonical}\n${signer.md5Hex(body)}`;
  return withSignature(signer.hmacBase64(credentials.secretAccessKey, toSign), (signature) => {
    let query = `timestamp=${quoteKeepSlash(timestamp)}`;
    for (const [k, v] of params.slice(1)) query += `&${k}=${quotePlus(v)}`;
    query += `&signature=${quotePlus(quotePlus(signature))}`;
    return { method: 'POST', url: `${endpoint}${path}?${query}`, headers: { 'Content-Type': 'application/json' }, body };
  });
}
