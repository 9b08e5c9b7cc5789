// CSV for the Bulk tab (RFC 4180, read leniently): quoted fields holding commas, line breaks and
// doubled quotes; CRLF, LF or CR line ends; a UTF-8 byte order mark; comma- or tab-separated
// (rows pasted from a spreadsheet are tab-separated). No DOM: Node tests import it.

/** Files larger than this are not read. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

const QUOTE = 34; // "
const CR = 13;
const LF = 10;

/**
 * The text of `file` (a File or Blob), UTF-8, or `{ problem }`: 'too_big' (over MAX_FILE_BYTES,
 * not read) or 'read_failed'.
 */
export async function readFileText(file) {
  if (file.size > MAX_FILE_BYTES) return { problem: 'too_big' };
  try {
    return { text: await file.text() };
  } catch {
    return { problem: 'read_failed' };
  }
}

/**
 * The separator of `text`: a tab when its first line holds tabs and no comma, else a comma.
 * Quotes are not looked into; a header row needs none.
 */
export function detectDelimiter(text) {
  const end = text.search(/[\r\n]/);
  const first = end < 0 ? text : text.slice(0, end);
  return first.includes('\t') && !first.includes(',') ? '\t' : ',';
}

/**
 * The records of `text`, one at a time: `{ fields, line, problem }`, where `line` is the 1-based
 * line the record starts on and `problem` is `'unclosed_quote'` (a quoted field runs to the end of
 * the text) or `'stray_quote'` (text follows a closing quote), else undefined. A generator, so that
 * a caller can read a large text in slices and let the page breathe between them. Empty lines are
 * records with one empty field; the caller decides what to do with them. A final line end does not
 * start another record.
 */
export function* records(text, delimiter = detectDelimiter(text)) {
  const sep = delimiter.charCodeAt(0);
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let line = 1;
  while (i < n) {
    const start = line;
    const fields = [];
    let problem;
    // One record: fields until a line end outside quotes, or the end of the text.
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        // A quoted field: "" is a quote; anything up to the closing quote, line ends included.
        let value = '';
        let from = i + 1;
        let closed = false;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) {
            value += text.slice(from);
            line += countLines(text, from, n);
            i = n;
            break;
          }
          value += text.slice(from, q);
          line += countLines(text, from, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            from = q + 2;
          } else {
            i = q + 1;
            closed = true;
            break;
          }
        }
        if (!closed) problem ??= 'unclosed_quote';
        // Anything between the closing quote and the next separator is kept, and flagged.
        if (i < n && text.charCodeAt(i) !== sep && text.charCodeAt(i) !== CR && text.charCodeAt(i) !== LF) {
          problem ??= 'stray_quote';
          const stop = nextStop(text, i, sep);
          value += text.slice(i, stop);
          i = stop;
        }
        fields.push(value);
      } else {
        const stop = nextStop(text, i, sep);
        fields.push(text.slice(i, stop));
        i = stop;
      }
      const c = text.charCodeAt(i);
      if (i < n && c === sep) {
        i += 1;
        continue;
      }
      // A line end (CRLF counts once) or the end of the text closes the record.
      if (c === CR) i += text.charCodeAt(i + 1) === LF ? 2 : 1;
      else if (c === LF) i += 1;
      line += 1;
      break;
    }
    yield { fields, line: start, problem };
  }
}

/** The index of the next separator or line end at or after `from`, or the text's length. */
function nextStop(text, from, sep) {
  for (let i = from; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === sep || c === CR || c === LF) return i;
  }
  return text.length;
}

/** Line ends between `from` and `to` (CRLF counts once). */
function countLines(text, from, to) {
  let count = 0;
  for (let i = from; i < to; i += 1) {
    const c = text.charCodeAt(i);
    if (c === LF) count += 1;
    else if (c === CR && text.charCodeAt(i + 1) !== LF) count += 1;
  }
  return count;
}

/** Every record of `text` at once (small texts and tests). */
export function parseCsv(text, delimiter) {
  return [...records(text, delimiter)];
}

/**
 * Text a spreadsheet may run as a formula when the cell is opened: = + - @ first, or after
 * whitespace, which spreadsheets may trim (`\s` holds spaces, tabs, line breaks and the full-width
 * space U+3000); or a leading tab or CR.
 */
const FORMULA = /^(?:[\t\r]|\s*[=+\-@])/;

/**
 * One CSV field: quoted when it holds a comma, a quote, a line end or outer spaces. With `safe`,
 * a text that may run as a formula gets a leading apostrophe, so that a spreadsheet shows it
 * instead of running it; numbers are written as they are.
 */
export function csvField(value, { safe = false } = {}) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  let text = String(value);
  if (safe && FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows (arrays of values) as CSV text with CRLF line ends, as RFC 4180 writes it. */
export function toCsv(rows, options) {
  return rows.map((row) => row.map((value) => csvField(value, options)).join(',')).join('\r\n') + '\r\n';
}
