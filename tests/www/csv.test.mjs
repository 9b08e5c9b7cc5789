// csv.js on its own: reading (quotes, line ends, separators, a BOM, broken quotes), reading a file
// within a size bound, and writing, with the formula guard of the results file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, detectDelimiter, MAX_FILE_BYTES, parseCsv, readFileText, toCsv } from '../../www/csv.js';

test('quoted fields with commas, line breaks and doubled quotes; CRLF, LF and CR; a BOM', () => {
  const text = '\ufeffa,b,c\r\n1,"x,y","he said ""hi"""\r\n"two\r\nlines",,3\n4,5,6\r7,8,9';
  assert.deepEqual(parseCsv(text).map((r) => r.fields), [
    ['a', 'b', 'c'], ['1', 'x,y', 'he said "hi"'], ['two\r\nlines', '', '3'], ['4', '5', '6'], ['7', '8', '9'],
  ]);
  assert.deepEqual(parseCsv(text).map((r) => r.line), [1, 2, 3, 5, 6], 'the line each record starts on');
  assert.deepEqual(parseCsv('a,b\r\n').map((r) => r.fields), [['a', 'b']], 'a final line end starts no record');
  assert.deepEqual(parseCsv('a,b\n\n1,2').map((r) => r.fields), [['a', 'b'], [''], ['1', '2']]);
  assert.deepEqual(parseCsv('a,').map((r) => r.fields), [['a', '']]);
  assert.deepEqual(parseCsv(''), []);
});

test('broken quotes are flagged, tab-separated text is read, and what is written reads back', () => {
  assert.equal(parseCsv('a,"b\nc').at(-1).problem, 'unclosed_quote');
  assert.equal(parseCsv('a,"b"c,d')[0].problem, 'stray_quote');
  assert.equal(detectDelimiter('user_name\tuser_password\n'), '\t');
  assert.deepEqual(parseCsv('a\tb\n1\t2,3').map((r) => r.fields), [['a', 'b'], ['1', '2,3']]);
  const rows = [['index', 'text'], [1, 'plain'], [2, 'comma, "quote"\r\nline'], [3, ' spaced '], [4, '=SUM(A1)']];
  const written = toCsv(rows, { safe: true });
  assert.ok(written.endsWith('\r\n'));
  assert.deepEqual(parseCsv(written).map((r) => r.fields), [
    ['index', 'text'], ['1', 'plain'], ['2', 'comma, "quote"\r\nline'], ['3', ' spaced '], ['4', "'=SUM(A1)"],
  ]);
  assert.equal(csvField('-1+2', { safe: true }), "'-1+2");
  assert.equal(csvField(-1, { safe: true }), '-1', 'numbers are numbers');
});

test('the formula guard catches = + - @ first or after spaces, tabs, line breaks and full-width spaces', () => {
  const guarded = ['=1+1', '+1', '-1', '@SUM(A1)', ' =1', '  +cmd', '\t=1', '\r=1', '\n=1', '\r\n-1',
    '\u3000=HYPERLINK("x")', ' \u3000\t@x', '\t', '\rplain'];
  for (const text of guarded) {
    const field = csvField(text, { safe: true });
    const [read] = parseCsv(`${field}\r\n`, ',');
    assert.equal(read.fields[0], `'${text}`, JSON.stringify(text));
    assert.ok(!csvField(text).startsWith("'"), `no apostrophe without safe: ${JSON.stringify(text)}`);
  }
  for (const text of ['plain', 'a=1', 'x-1', 'mail@example.com', ' spaced ', '中文', '\u3000中文', '']) {
    assert.ok(!csvField(text, { safe: true }).replace(/^"/, '').startsWith("'"), `not guarded: ${JSON.stringify(text)}`);
  }
});

test('a file is read as UTF-8 text; one over the bound is not read', async () => {
  assert.deepEqual(await readFileText(new Blob(['\ufeffa,b\n中文,2\n'])), { text: 'a,b\n中文,2\n' }, 'the BOM is dropped');
  let read = false;
  const huge = { size: MAX_FILE_BYTES + 1, text: async () => { read = true; return ''; } };
  assert.deepEqual(await readFileText(huge), { problem: 'too_big' });
  assert.equal(read, false, 'never read');
  const broken = { size: 10, text: async () => { throw new DOMException('gone', 'NotReadableError'); } };
  assert.deepEqual(await readFileText(broken), { problem: 'read_failed' });
});
