// Build-and-sign throughput of the package beside plain JavaScript references doing the same job
// (bench/reference.mjs): on @noble/hashes, on WebCrypto awaited per request, on crypto-js, and in
// Node on node:crypto too (no browser has it). Measured in Node and in headless Chromium, each side
// by side in one run (bench/sign-compare.mjs). Every reference must build byte-identical requests;
// that is checked before anything is timed. Then validation throughput, in Node.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import CryptoJS from 'crypto-js';
import * as qc from 'qingcloud-useradd';
import { withChromium } from './browser.mjs';
import { median, opsPerSecond, round } from './lib.mjs';
import { cryptoJsSigner, noble, webCryptoSigner } from './reference.mjs';
import { builtRequests, compareSigning, users } from './sign-compare.mjs';

/** node:crypto: HMAC-SHA256 in base64, MD5 in hex. */
const nodeCrypto = {
  hmacBase64: (key, message) => createHmac('sha256', key).update(message).digest('base64'),
  md5Hex: (text) => createHash('md5').update(text).digest('hex'),
};

/** Each reference's name in the table, and what it runs on. */
const REFERENCES = {
  noble: ['@noble/hashes', '@noble/hashes (HMAC-SHA256; MD5 from legacy.js)'],
  webcrypto: ['awaited WebCrypto', 'WebCrypto crypto.subtle.sign, awaited per request'],
  crypto_js: ['crypto-js', 'crypto-js'],
  node_crypto: ['node:crypto', 'node:crypto (no browser has it)'],
};

// The page loads crypto-js by its script (a global) and @noble/hashes as ES modules, through an
// import map, as a page without a bundler would.
const PAGE = `<!doctype html><meta charset="utf-8"><title>sign bench</title>
<script type="importmap">{ "imports": { "@noble/hashes/": "/node_modules/@noble/hashes/" } }</script>
<script src="/node_modules/crypto-js/crypto-js.js"></script>
<script type="module">window.ready = true;</script>`;

/**
 * In the page: the web target after `await init()`, and the three browser references. Playwright
 * sends this function's source to the page, so it imports by URL, not the modules above.
 */
async function inChromium(timing) {
  const pkg = await import('/pkg/qingcloud_useradd.js');
  await pkg.default();
  const { builtRequests, compareSigning } = await import('/bench/sign-compare.mjs');
  const { cryptoJsSigner, noble, webCryptoSigner } = await import('/bench/reference.mjs');
  const signers = { noble, webcrypto: webCryptoSigner(), crypto_js: cryptoJsSigner(window.CryptoJS) };
  return { built: await builtRequests(pkg, signers), results: await compareSigning(pkg, signers, timing) };
}

/** Every reference built what the package built, byte for byte. */
function assertSameRequests(built, where) {
  for (const [name, requests] of Object.entries(built)) {
    assert.deepEqual(requests, built.package, `${where}: the ${name} reference builds other requests than the package`);
  }
}

/** Rows for one environment: `prefix` '' (Node) or 'chromium_'. */
function signRows(prefix, env, { clickhouse, ehpc }) {
  const rows = [];
  for (const [key, label, result] of [
    ['sign', 'buildClickHouseAddUsersRequest (GET, validated, signed)', clickhouse],
    ['sign_ehpc', 'buildEhpcAddUserRequest (validated, signed)', ehpc],
  ]) {
    rows.push({ key: `${prefix}${key}_per_s`, value: round(result.perSecond.package), unit: 'req/s', label: `${env}${label}` });
    for (const name of Object.keys(result.ratio)) {
      rows.push({ key: `${prefix}${key}_ref_${name}_per_s`, value: round(result.perSecond[name]), unit: 'req/s', label: `  JS reference on ${REFERENCES[name][1]}, same bytes` });
    }
    for (const [name, ratio] of Object.entries(result.ratio)) {
      rows.push({ key: `${prefix}${key}_ratio_vs_${name}`, value: round(ratio, 3), unit: 'x', label: `  package / ${REFERENCES[name][0]} reference`, note: 'median of per-round ratios' });
    }
  }
  return rows;
}

export default async function ({ quick }) {
  const timing = quick ? { rounds: 3, ms: 60, warmupMs: 60 } : { rounds: 9, ms: 400, warmupMs: 500 };

  const signers = { noble, webcrypto: webCryptoSigner(), crypto_js: cryptoJsSigner(CryptoJS), node_crypto: nodeCrypto };
  const built = await builtRequests(qc, signers);
  assertSameRequests(built, 'Node');
  const node = await compareSigning(qc, signers, timing);

  const chromium = await withChromium({ '/sign.html': PAGE }, async ({ browser, url }) => {
    const page = await browser.newPage();
    await page.goto(`${url}/sign.html`);
    await page.waitForFunction(() => window.ready === true);
    const answer = await page.evaluate(inChromium, timing);
    assertSameRequests(answer.built, 'Chromium');
    assert.deepEqual(answer.built.package, built.package, 'the web target in Chromium builds other requests than the Node entry');
    return { ...answer.results, version: browser.version() };
  });

  const validateMs = quick ? 60 : 400;
  const validation = async (fn) => {
    const samples = [];
    for (let i = 0; i < (quick ? 3 : 7); i++) samples.push(await opsPerSecond(fn, validateMs));
    return round(median(samples));
  };

  return [
    ...signRows('', '', node),
    ...signRows('chromium_', `Chromium ${chromium.version.split('.')[0]}: `, chromium),
    { key: 'validate_clickhouse_per_s', value: await validation(() => qc.validateClickHouseUser(users.clickhouse)), unit: 'calls/s', label: 'validateClickHouseUser' },
    { key: 'validate_ehpc_per_s', value: await validation(() => qc.validateEhpcUser(users.ehpc)), unit: 'calls/s', label: 'validateEhpcUser' },
  ];
}
