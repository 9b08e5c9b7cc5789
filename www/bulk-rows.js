// The rows of the Bulk tab and their checks: the header read against the kind of user, each record
// made a row of named fields, and each row validated with the package, in slices, so that the page
// stays responsive with 10,000 rows. No DOM: Node tests use it with the package's Node build.
//
// No part of a password may be shown. A comma, tab or line break in a field that is not in double
// quotes shifts or splits the fields of a row, and a shifted field may hold part of a password:
// such a row, and the rows next to it (a line break may have split one row over them), show no
// field and are not sent. A message about a row never repeats its password.

import { detectDelimiter, records } from './csv.js';
import { t } from './i18n.js';

/** The longest stretch of parsing and checking before the page gets the event loop back. */
const SLICE_MS = 8;

/** One entry per kind of user; columns are the APIs' wire names. */
export const KINDS = {
  clickhouse: {
    label: 'tab.clickhouse',
    columns: ['cluster', 'user_name', 'user_password', 'user_networks'],
    required: ['user_name', 'user_password', 'user_networks'],
    cluster: 'cluster',
    name: 'user_name',
    /** The package's field for the user name, in an input or a `previous` entry. */
    inputName: 'userName',
    password: 'user_password',
    extra: 'user_networks',
    extraLabel: 'bulk.col.networks',
    placeholder: 'cl-yxgxofd3',
    input: (f, cluster, zone) => ({
      cluster, zone, userName: f.user_name, userPassword: f.user_password, userNetworks: f.user_networks,
    }),
    validate: (api, input, lang) => api.validateClickHouseUser(input, { lang }),
    send: (api, rows, credentials, options) => api.addClickHouseUsers(rows, credentials, options),
    endpoint: (s) => s.endpoint,
  },
  ehpc: {
    label: 'tab.ehpc',
    columns: ['cluster_id', 'username', 'password', 'mod'],
    required: ['username', 'password'],
    cluster: 'cluster_id',
    name: 'username',
    inputName: 'username',
    password: 'password',
    extra: 'mod',
    extraLabel: 'bulk.col.mod',
    placeholder: 'ehpc-8jqdq0mz',
    input: (f, cluster, zone) => {
      const mod = f.mod.trim();
      return { clusterId: cluster, zone, username: f.username, password: f.password, ...(mod ? { mod } : {}) };
    },
    validate: (api, input, lang) => api.validateEhpcUser(input, { lang }),
    send: (api, rows, credentials, options) => api.addEhpcUsers(rows, credentials, options),
    endpoint: (s, settings) => settings.ehpcEndpoint(s.endpoint),
  },
};

/** What row `row` shows of `value`: nothing when the row could not be read into its columns. */
export function visible(row, value) {
  return row.problem ? '' : value;
}

/** `text` with every occurrence of `password` masked. */
export function withoutPassword(text, password) {
  return password && typeof text === 'string' ? text.split(password).join('•••') : text;
}

/** The package input of row `row` of kind `kind`. */
export function rowInput(kind, row, zone) {
  return kind.input(row.fields, row.cluster, zone);
}

/** The header row's columns, or `{ problem }` when it does not fit `kind`. */
function readHeader(fields, kind) {
  const names = fields.map((field) => field.trim().toLowerCase());
  const index = {};
  const unknown = [];
  for (const [i, name] of names.entries()) {
    if (!name) continue;
    if (!kind.columns.includes(name)) unknown.push(name);
    else if (name in index) return { problem: { key: 'bulk.header.repeated', params: { column: name } } };
    else index[name] = i;
  }
  const missing = kind.required.filter((column) => !(column in index));
  if (missing.length) {
    const other = Object.values(KINDS).find((k) => k !== kind && k.required.every((c) => names.includes(c)));
    if (other) return { problem: { key: 'bulk.header.other_kind', params: { kind: other.label, header: kind.columns.join(',') } } };
    return { problem: { key: 'bulk.header.missing', params: { missing: missing.join(', '), header: kind.columns.join(',') } } };
  }
  return { index, count: fields.length, unknown };
}

/** A row of named fields; `problem` says why the record could not be read into them. */
function makeRow(record, index, kind, header) {
  const fields = {};
  for (const column of kind.columns) fields[column] = column in header.index ? (record.fields[header.index[column]] ?? '') : '';
  let problem = null;
  if (record.problem) problem = { key: `bulk.row.${record.problem}` };
  else if (record.fields.length !== header.count) problem = { key: 'bulk.row.fields', params: { count: record.fields.length, expected: header.count } };
  return { index, line: record.line, fields, problem, cluster: '', name: '', errors: [], warnings: [], valid: false };
}

/**
 * Validates `row` with the package in `context.lang`; a repeat of an earlier row (`context.seen`:
 * cluster and name to the first row's index) is invalid.
 */
function checkRow(row, kind, context) {
  row.cluster = row.fields[kind.cluster].trim() || context.defaultCluster;
  row.name = row.fields[kind.name];
  row.warnings = [];
  if (row.problem) {
    row.errors = [{ field: 'row', code: 'invalid_row', message: t(row.problem.key, row.problem.params) }];
  } else {
    const key = row.name === '' ? null : `${row.cluster}\u0000${row.name}`;
    const first = key === null ? undefined : context.seen.get(key);
    if (first !== undefined) {
      row.errors = [{ field: kind.name, code: 'duplicate_row', message: t('bulk.duplicate', { field: kind.name, row: first + 1 }) }];
    } else {
      if (key !== null) context.seen.set(key, row.index);
      const report = kind.validate(context.api, rowInput(kind, row, context.zone), context.lang);
      const password = row.fields[kind.password];
      const own = (issue) => ({ ...issue, message: withoutPassword(issue.message, password) });
      // The zone is the connection setting's, checked once when a run starts.
      row.errors = report.errors.filter((issue) => issue.field !== 'zone').map(own);
      row.warnings = report.warnings.filter((issue) => issue.field !== 'zone').map(own);
    }
  }
  row.valid = row.errors.length === 0;
}

/**
 * The rows of the Bulk tab's input: what was loaded, its header, rows and counts, and how far
 * checking has come. `api` is the package; `breathe()` gives the event loop back to the page.
 */
export function createSheet({ api, breathe }) {
  const sheet = {
    kind: 'clickhouse',
    /** `{ type: 'file' | 'text', name, text }`. */
    source: null,
    /** Bumped whenever the rows may change; a finished run with the same version cannot start again. */
    version: 0,
    /** Bumped on every new check; a stale check stops at its next slice. */
    gen: 0,
    header: null,
    /** A problem of the whole input, `{ key, params }`. */
    problem: null,
    rows: [],
    checking: false,
    tally: { valid: 0, invalid: 0, warnings: 0 },

    /** From now until a new check ends, the rows are not the input's; a check under way stops. */
    invalidate() {
      sheet.gen += 1;
      sheet.checking = true;
    },

    /**
     * Parses the source and checks every row, a slice at a time, calling `onSlice()` after each;
     * `context` is `{ lang, zone, defaultCluster }`. Resolves to false when a newer check or
     * invalidate() superseded it.
     */
    async check(context, onSlice = () => {}) {
      const gen = ++sheet.gen;
      const kind = KINDS[sheet.kind];
      Object.assign(sheet, { header: null, problem: null, rows: [], checking: false, tally: { valid: 0, invalid: 0, warnings: 0 } });
      const text = sheet.source?.text ?? '';
      if (!text.trim()) return true;
      sheet.checking = true;
      const rowContext = { ...context, api, seen: new Map() };
      // A row is kept back until the next record shows whether it was split from it.
      let held = null;
      let heldUnread = false;
      const settle = () => {
        checkRow(held, kind, rowContext);
        sheet.rows.push(held);
        sheet.tally[held.valid ? 'valid' : 'invalid'] += 1;
        if (held.warnings.length) sheet.tally.warnings += 1;
      };
      let deadline = performance.now() + SLICE_MS;
      for (const record of records(text, detectDelimiter(text))) {
        if (gen !== sheet.gen) return false;
        const blank = record.fields.every((field) => field.trim() === '');
        if (!sheet.header) {
          if (blank) continue;
          const header = readHeader(record.fields, kind);
          if (header.problem) {
            sheet.problem = header.problem;
            break;
          }
          sheet.header = header;
        } else if (!blank) {
          const row = makeRow(record, sheet.rows.length + (held ? 1 : 0), kind, sheet.header);
          const unread = row.problem !== null;
          if (held) {
            if (unread && !held.problem) held.problem = { key: 'bulk.row.neighbour' };
            if (heldUnread && !row.problem) row.problem = { key: 'bulk.row.neighbour' };
            settle();
          }
          held = row;
          heldUnread = unread;
        }
        if (performance.now() > deadline) {
          onSlice();
          await breathe();
          if (gen !== sheet.gen) return false;
          deadline = performance.now() + SLICE_MS;
        }
      }
      if (held) settle();
      sheet.checking = false;
      if (!sheet.problem && !sheet.header) sheet.problem = { key: 'bulk.header.none', params: { header: kind.columns.join(',') } };
      else if (!sheet.problem && sheet.rows.length === 0) sheet.problem = { key: 'bulk.no_rows' };
      return true;
    },
  };
  return sheet;
}
