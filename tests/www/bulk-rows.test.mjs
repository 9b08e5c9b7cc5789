// bulk-rows.js with the package's Node build: the header, rows and their checks, and that no part
// of a password is ever shown: passwords holding commas, quotes, tabs and line breaks, quoted and
// unquoted, comma- and tab-separated, with the optional last column empty. What the preview shows
// of a row is its cluster, name and last column (through visible()) and its messages.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'qingcloud-useradd';
import { createSheet, KINDS, visible } from '../../www/bulk-rows.js';

const breathe = () => new Promise((resolve) => { setImmediate(resolve); });
const CONTEXT = { lang: 'en', zone: 'pek3', defaultCluster: '' };
const CH = 'cl-abcdefgh';
const EHPC = 'ehpc-abcdefgh';

async function sheetOf(text, { kind = 'clickhouse', context = CONTEXT } = {}) {
  const sheet = createSheet({ api, breathe });
  sheet.kind = kind;
  sheet.source = { type: 'text', name: '', text };
  assert.equal(await sheet.check(context), true);
  return sheet;
}

/** Everything the preview shows of the rows, as one text. */
function shownText(sheet) {
  const kind = KINDS[sheet.kind];
  return sheet.rows.flatMap((row) => [
    visible(row, row.cluster), visible(row, row.name), visible(row, row.fields[kind.extra]),
    ...row.errors.map((issue) => issue.message), ...row.warnings.map((issue) => issue.message),
  ]).join('\n');
}

describe('the header', () => {
  test('columns in any order, case and spaces ignored; unknown columns are listed', async () => {
    const sheet = await sheetOf(` User_Password ,user_name,extra,user_networks\nPass-word-1,alice,x,::1\n`, { context: { ...CONTEXT, defaultCluster: CH } });
    assert.deepEqual(sheet.header.unknown, ['extra']);
    assert.equal(sheet.rows.length, 1);
    assert.deepEqual([sheet.rows[0].cluster, sheet.rows[0].name, sheet.rows[0].valid], [CH, 'alice', true], 'the default cluster fills in');
  });

  test('a missing, repeated or other kind\'s header is a problem of the whole input', async () => {
    assert.equal((await sheetOf('user_name,user_networks\nu,::1')).problem.key, 'bulk.header.missing');
    assert.deepEqual((await sheetOf('user_name,user_name,user_password,user_networks\n')).problem,
      { key: 'bulk.header.repeated', params: { column: 'user_name' } });
    assert.equal((await sheetOf('username,password\nu,p', { kind: 'clickhouse' })).problem.key, 'bulk.header.other_kind');
    assert.equal((await sheetOf('\n\n  \n')).problem, null, 'blank input: nothing to say');
    assert.equal((await sheetOf('user_name,user_password,user_networks\n\n')).problem.key, 'bulk.no_rows');
  });
});

describe('rows and checks', () => {
  test('package messages in the language asked for, the zone left out, repeats invalid', async () => {
    const text = `cluster,user_name,user_password,user_networks\n${CH},1abc,Pass-word-1,::1\n${CH},bob,Pass-word-1,::1\n${CH},bob,Pass-word-2,::1\n${CH},carol,short,::1\n`;
    const sheet = await sheetOf(text, { context: { ...CONTEXT, zone: 'NOT A ZONE' } });
    assert.deepEqual(sheet.rows.map((row) => row.valid), [false, true, false, true]);
    assert.match(sheet.rows[0].errors[0].message, /user_name must not start with a digit/);
    assert.equal(sheet.rows[2].errors[0].code, 'duplicate_row');
    assert.match(sheet.rows[2].errors[0].message, /repeats row 2/);
    assert.equal(sheet.rows[3].warnings[0].code, 'short_password');
    assert.deepEqual(sheet.tally, { valid: 2, invalid: 2, warnings: 1 });
    assert.ok(sheet.rows.every((row) => row.errors.every((e) => e.field !== 'zone')), 'the zone is checked when a run starts');
    const zh = await sheetOf(text, { context: { ...CONTEXT, lang: 'zh' } });
    assert.match(zh.rows[0].errors[0].message, /user_name 不能以数字开头/);
  });

  test('a row whose field count does not fit its header is invalid; its message shows no field value', async () => {
    const header = 'cluster_id,username,password,mod';
    const rows = [
      `${EHPC},longer1,Secretpw1234,700,Extra9field`,
      '',
      `${EHPC},ok1,Secretpw1234,`,
      `${EHPC},ok2,Secretpw1234,`,
      `${EHPC},short1,Shortpw77x`,
      `${EHPC},ok3,Secretpw1234,`,
      `${EHPC},ok4,Secretpw1234,750`,
    ];
    const sheet = await sheetOf(`${header}\n${rows.join('\n')}\n`, { kind: 'ehpc' });
    const byName = Object.fromEntries(sheet.rows.map((row) => [row.fields.username, row]));
    assert.deepEqual(sheet.rows.map((row) => row.valid), [false, false, false, false, false, true]);
    for (const name of ['longer1', 'short1']) {
      assert.equal(byName[name].errors[0].code, 'invalid_row');
      assert.equal(byName[name].problem.key, 'bulk.row.fields');
    }
    assert.match(byName.longer1.errors[0].message, /^This row has 5 fields and the header 4/);
    assert.match(byName.short1.errors[0].message, /^This row has 3 fields and the header 4/);
    // The rows next to one that could not be read: a line break may have split a row over them.
    assert.equal(byName.ok1.problem.key, 'bulk.row.neighbour', 'after a blank line too');
    assert.equal(byName.ok2.problem.key, 'bulk.row.neighbour');
    assert.equal(byName.ok3.problem.key, 'bulk.row.neighbour');
    assert.equal(byName.ok4.valid, true);
    assert.deepEqual(sheet.rows.map((row) => row.index), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(sheet.rows.map((row) => row.line), [2, 4, 5, 6, 7, 8], 'each row knows its line');
    const shown = shownText(sheet);
    for (const value of ['longer1', 'Extra9field', 'short1', 'Shortpw77x', 'ok1', 'ok2', 'ok3', 'Secretpw']) {
      assert.ok(!shown.includes(value), `${value} is not shown`);
    }
    assert.match(shown, /ok4/);
  });

  test('10,000 rows are checked in slices, and a newer check supersedes one under way', async () => {
    const lines = ['user_name,user_password,user_networks'];
    for (let i = 0; i < 10_000; i += 1) lines.push(`u${i},Pass-word-${i},10.0.0.0/8`);
    const sheet = createSheet({ api, breathe });
    sheet.source = { type: 'text', name: '', text: lines.join('\n') };
    let slices = 0;
    const first = sheet.check({ ...CONTEXT, defaultCluster: CH }, () => { slices += 1; });
    assert.equal(sheet.checking, true);
    await breathe();
    sheet.invalidate();
    assert.equal(await first, false, 'superseded');
    slices = 0;
    assert.equal(await sheet.check({ ...CONTEXT, defaultCluster: CH }, () => { slices += 1; }), true);
    assert.equal(sheet.checking, false);
    assert.equal(sheet.rows.length, 10_000);
    assert.equal(sheet.tally.valid, 10_000);
    assert.ok(slices > 1, `${slices} slices`);
  });
});

describe('no part of a password is shown', () => {
  // Each piece is distinctive, so that any fragment of a password is found wherever it appears.
  const PASSWORDS = {
    comma: 'Pw7x,Qz9k',
    commas: 'Pw7x,Qz9k,Lm4t,Rb8v',
    quote: 'Pw7x"Qz9k',
    'leading quote': '"Pw7x,Qz9k',
    'quote and comma': 'Pw7x","Qz9k',
    tab: 'Pw7x\tQz9k',
    'line break': 'Pw7x\nQz9k',
    crlf: 'Pw7x\r\nQz9k',
    'comma and line break': 'Pw7x,Qz9k\nLm4t',
    'line break and commas': 'Pw7x\nQz9k,Lm4t,Rb8v',
    'leading line break': '\nPw7xQz9k',
    'trailing comma': 'Pw7xQz9k,',
    everything: 'Pw7x,"Qz9k"\tLm4t\r\nRb8v,',
  };
  const pieces = (password) => password.split(/[\s,"]+/).filter(Boolean);

  /**
   * A file of `kind` with good rows around a row holding `password`; the optional last column
   * (EHPC's mod, or ClickHouse's cluster put last) is left empty.
   */
  function fileWith(kind, password, { quoted, separator }) {
    const field = (value) => (quoted ? `"${value.replaceAll('"', '""')}"` : value);
    const cells = kind === 'ehpc'
      ? (name, pw) => [EHPC, name, field(pw), '']
      : (name, pw) => [field(pw), name, '10.0.0.0/8', ''];
    const header = kind === 'ehpc' ? 'cluster_id,username,password,mod' : 'user_password,user_name,user_networks,cluster';
    const good = (name) => cells(name, 'Goodpass1234').join(separator);
    return [header.replaceAll(',', separator), good('before1'), good('before2'), cells('target', password).join(separator),
      good('after1'), good('after2'), ''].join('\n');
  }

  for (const kind of ['clickhouse', 'ehpc']) {
    for (const separator of [',', '\t']) {
      for (const quoted of [true, false]) {
        test(`${kind}, ${separator === ',' ? 'comma' : 'tab'}-separated, ${quoted ? 'quoted' : 'unquoted'}`, async () => {
          for (const [label, password] of Object.entries(PASSWORDS)) {
            const sheet = await sheetOf(fileWith(kind, password, { quoted, separator }), { kind, context: { ...CONTEXT, defaultCluster: CH } });
            const shown = shownText(sheet);
            for (const piece of pieces(password)) assert.ok(!shown.includes(piece), `${label}: "${piece}" is shown:\n${shown}`);
            const names = sheet.rows.filter((row) => row.valid).map((row) => row.name);
            if (quoted) {
              assert.equal(sheet.rows.length, 5, label);
              const target = sheet.rows[2];
              assert.equal(target.fields[KINDS[kind].password], password, `${label}: read whole`);
              assert.deepEqual(names.filter((name) => name !== 'target'), ['before1', 'before2', 'after1', 'after2'], label);
            } else {
              // Rows away from it are kept, unless an unclosed quote ran to the end of the text.
              const swallowed = sheet.rows.some((row) => row.problem?.key === 'bulk.row.unclosed_quote');
              assert.ok(names.includes('before1') && (swallowed || names.includes('after2')), `${label}: ${names}`);
            }
          }
        });
      }
    }
  }
});
