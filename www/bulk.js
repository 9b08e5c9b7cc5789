// The Bulk tab: many ClickHouse or EHPC users from a CSV file or pasted rows. Rows are parsed and
// checked here in small slices (the page stays responsive with 10,000 rows), shown in a preview,
// and sent with the package's addClickHouseUsers / addEhpcUsers in chunks: the API has no pause,
// so pausing stops the chunk being sent (its in-flight rows finish; its unsent rows go back to
// the queue) and waits before the next one. The results of every chunk are merged in input order.
// Every value from the file or the server is shown as text; passwords are never shown or written
// to the results file.

import {
  addClickHouseUsers, addEhpcUsers, isQingCloudError, validateClickHouseUser, validateEhpcUser,
} from './pkg/qingcloud_useradd.js';
import { detectDelimiter, records, toCsv } from './csv.js';
import { h, replace } from './dom.js';
import { getLang, onLangChange, t, translate } from './i18n.js';

/** Rows per call of the bulk API. */
const CHUNK_ROWS = 200;
/** Table rows rendered at first, and added by "show more". */
const PAGE_ROWS = 100;
/** The longest stretch of parsing and checking before the page gets the event loop back. */
const SLICE_MS = 8;
/** The results table is rebuilt at most this often while a run goes on. */
const TABLE_REFRESH_MS = 300;
const MAX_BYTES = 50 * 1024 * 1024;
const MAX_CONCURRENCY = 16;
/** Row failures that every later row would meet too (authentication failed, key expired). */
const STOP_RET_CODES = new Set([1200, 1300]);
const STATUSES = ['queued', 'sending', 'sent', 'created', 'exists', 'invalid', 'failed', 'not_sent'];
const FINAL = ['created', 'exists', 'invalid', 'failed', 'not_sent'];
const ACTIVE_STATES = new Set(['running', 'pausing', 'paused', 'cancelling']);

/** One entry per kind of user; columns are the APIs' wire names. */
const KINDS = {
  clickhouse: {
    label: 'tab.clickhouse',
    columns: ['cluster', 'user_name', 'user_password', 'user_networks'],
    required: ['user_name', 'user_password', 'user_networks'],
    cluster: 'cluster',
    name: 'user_name',
    password: 'user_password',
    extra: 'user_networks',
    extraLabel: 'bulk.col.networks',
    placeholder: 'cl-yxgxofd3',
    input: (f, cluster, zone) => ({
      cluster, zone, userName: f.user_name, userPassword: f.user_password, userNetworks: f.user_networks,
    }),
    validate: (input, lang) => validateClickHouseUser(input, { lang }),
    send: (rows, credentials, options) => addClickHouseUsers(rows, credentials, options),
    endpoint: (s) => s.endpoint,
  },
  ehpc: {
    label: 'tab.ehpc',
    columns: ['cluster_id', 'username', 'password', 'mod'],
    required: ['username', 'password'],
    cluster: 'cluster_id',
    name: 'username',
    password: 'password',
    extra: 'mod',
    extraLabel: 'bulk.col.mod',
    placeholder: 'ehpc-8jqdq0mz',
    input: (f, cluster, zone) => {
      const mod = f.mod.trim();
      return { clusterId: cluster, zone, username: f.username, password: f.password, ...(mod ? { mod } : {}) };
    },
    validate: (input, lang) => validateEhpcUser(input, { lang }),
    send: (rows, credentials, options) => addEhpcUsers(rows, credentials, options),
    endpoint: (s, settings) => settings.ehpcEndpoint(s.endpoint),
  },
};

/**
 * Gives the event loop back to the page: input, rendering and timers run before we go on. A new
 * ordinary task (a message to ourselves): scheduler.yield() would be resumed ahead of the page's
 * timers and frames, and setTimeout(0) is clamped to 4 ms once nested.
 */
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
function breathe() {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}

const locale = () => (getLang() === 'zh' ? 'zh-CN' : 'en-US');
const fmt = (n) => n.toLocaleString(locale());

/** "12 s", "3 min 5 s", "1 h 20 min". */
function duration(seconds) {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return t('bulk.time.s', { s });
  if (s < 3600) return t('bulk.time.m', { m: Math.floor(s / 60), s: s % 60 });
  return t('bulk.time.h', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

/** A package error (or anything thrown) as `{ code, message, retCode }`. */
function describeError(error) {
  if (isQingCloudError(error)) return { code: error.code, message: error.message, retCode: error.retCode };
  return { code: 'unknown', message: String(error?.message ?? error) };
}

/**
 * Wires the Bulk tab into `root` (an empty element in its panel). `settings` is the page's
 * connection settings (settings.js).
 */
export function setupBulk(root, settings) {
  const ui = buildUi();
  root.append(ui.element);
  translate(root);

  /** What was loaded and how far checking has come. */
  const model = {
    kind: 'clickhouse',
    /** `{ type: 'file' | 'text', name, text }`. */
    source: null,
    /** Bumped whenever the rows may change; a finished run with the same version cannot start again. */
    version: 0,
    /** Bumped on every new parse; a stale parse stops at its next slice. */
    gen: 0,
    header: null,
    /** A problem of the whole input, `{ key, params }`. */
    problem: null,
    rows: [],
    checking: false,
    tally: { valid: 0, invalid: 0, warnings: 0 },
    shown: PAGE_ROWS,
  };
  let run = null;
  let frame = 0;
  const dirty = { input: false, run: false };
  let previewKey = '';
  let lastTable = 0;
  let tableTimer = 0;
  let loadTimer = 0;

  const kind = () => KINDS[model.kind];
  const active = () => Boolean(run && ACTIVE_STATES.has(run.state));

  // ---- Loading, parsing and checking ----------------------------------------------------------

  /** Parses the current source and checks every row, a slice at a time. */
  async function load() {
    clearTimeout(loadTimer);
    const gen = ++model.gen;
    const def = kind();
    Object.assign(model, {
      header: null, problem: null, rows: [], checking: false, shown: PAGE_ROWS,
      tally: { valid: 0, invalid: 0, warnings: 0 },
    });
    const text = model.source?.text ?? '';
    if (!text.trim()) {
      render();
      return;
    }
    model.checking = true;
    render();
    const context = {
      lang: getLang(),
      zone: settings.read().zone,
      defaultCluster: ui.cluster.value.trim(),
      seen: new Map(),
    };
    let deadline = performance.now() + SLICE_MS;
    for (const record of records(text, detectDelimiter(text))) {
      if (gen !== model.gen) return;
      const blank = record.fields.every((field) => field.trim() === '');
      if (!model.header) {
        if (blank) continue;
        const header = readHeader(record.fields, def);
        if (header.problem) {
          model.problem = header.problem;
          break;
        }
        model.header = header;
      } else if (!blank) {
        const row = makeRow(record, model.rows.length, def, model.header);
        checkRow(row, def, context);
        model.rows.push(row);
        if (row.valid) model.tally.valid += 1;
        else model.tally.invalid += 1;
        if (row.warnings.length) model.tally.warnings += 1;
      }
      if (performance.now() > deadline) {
        schedule('input');
        await breathe();
        if (gen !== model.gen) return;
        deadline = performance.now() + SLICE_MS;
      }
    }
    if (gen !== model.gen) return;
    model.checking = false;
    if (!model.problem && !model.header) model.problem = { key: 'bulk.header.none', params: { header: def.columns.join(',') } };
    else if (!model.problem && model.rows.length === 0) model.problem = { key: 'bulk.no_rows' };
    render();
  }

  function reload({ changed = true, soon = false } = {}) {
    if (changed) model.version += 1;
    clearTimeout(loadTimer);
    markChecking();
    if (soon) {
      loadTimer = setTimeout(load, 250);
      schedule('input');
    } else {
      load();
    }
  }

  /**
   * From now until the new rows are checked, the preview is not the input's: say so at once
   * (Start waits, and so can anyone reading the summary's data-state), not at the next frame.
   */
  function markChecking() {
    model.checking = true;
    ui.summary.dataset.state = 'checking';
    delete ui.summary.dataset.total;
  }

  function readHeader(fields, def) {
    const names = fields.map((field) => field.trim().toLowerCase());
    const index = {};
    const unknown = [];
    for (const [i, name] of names.entries()) {
      if (!name) continue;
      if (!def.columns.includes(name)) unknown.push(name);
      else if (name in index) return { problem: { key: 'bulk.header.repeated', params: { column: name } } };
      else index[name] = i;
    }
    const missing = def.required.filter((column) => !(column in index));
    if (missing.length) {
      const other = Object.values(KINDS).find((k) => k !== def && k.required.every((c) => names.includes(c)));
      if (other) return { problem: { key: 'bulk.header.other_kind', params: { kind: other.label, header: def.columns.join(',') } } };
      return { problem: { key: 'bulk.header.missing', params: { missing: missing.join(', '), header: def.columns.join(',') } } };
    }
    return { index, count: fields.length, unknown };
  }

  function makeRow(record, index, def, header) {
    const fields = {};
    for (const column of def.columns) fields[column] = column in header.index ? (record.fields[header.index[column]] ?? '') : '';
    let problem = null;
    if (record.problem) problem = { key: `bulk.row.${record.problem}` };
    else if (record.fields.length > header.count) problem = { key: 'bulk.row.fields', params: { count: record.fields.length, expected: header.count } };
    return { index, line: record.line, fields, problem, cluster: '', name: '', errors: [], warnings: [], valid: false };
  }

  /**
   * What a row shows of itself. A row that could not be read into its columns (a stray comma in a
   * password shifts every field after it) shows nothing, so that no password fragment is shown.
   */
  function shown(row, value) {
    return row.problem ? '' : value;
  }

  /** Validates one row with the package, in the page's language; a repeat of an earlier row is invalid. */
  function checkRow(row, def, context) {
    row.cluster = row.fields[def.cluster].trim() || context.defaultCluster;
    row.name = row.fields[def.name];
    row.warnings = [];
    if (row.problem) {
      row.errors = [{ field: 'row', code: 'invalid_row', message: t(row.problem.key, row.problem.params) }];
    } else {
      const key = row.name === '' ? null : `${row.cluster}\u0000${row.name}`;
      const first = key === null ? undefined : context.seen.get(key);
      if (first !== undefined) {
        row.errors = [{ field: def.name, code: 'duplicate_row', message: t('bulk.duplicate', { field: def.name, row: first + 1 }) }];
      } else {
        if (key !== null) context.seen.set(key, row.index);
        const report = def.validate(def.input(row.fields, row.cluster, context.zone), context.lang);
        // The zone is the connection setting's, checked once when a run starts.
        row.errors = report.errors.filter((issue) => issue.field !== 'zone');
        row.warnings = report.warnings.filter((issue) => issue.field !== 'zone');
      }
    }
    row.valid = row.errors.length === 0;
  }

  async function loadFile(file) {
    if (!file || active()) return;
    markChecking();
    model.gen += 1;
    render();
    if (file.size > MAX_BYTES) {
      model.source = null;
      showFileMessage(t('bulk.file.too_big', { size: MAX_BYTES / 1024 / 1024 }));
      reload();
      return;
    }
    let text;
    try {
      text = await file.text();
    } catch {
      model.source = null;
      reload();
      showFileMessage(t('bulk.file.read_failed'));
      return;
    }
    model.source = { type: 'file', name: file.name, text };
    ui.text.value = '';
    showFileMessage('');
    reload();
  }

  function showFileMessage(text) {
    replace(ui.fileMsg, text ? h('ul', { class: 'issues' }, h('li', { class: 'issue issue-error' },
      h('span', { class: 'issue-mark', 'aria-hidden': 'true' }, '✕'), h('span', {}, text))) : null);
  }

  // ---- Rendering ---------------------------------------------------------------------------------

  /**
   * Renders `part` ('input': the source and the preview; 'run': the progress and the results) on
   * the next frame; any number of calls before it make one render.
   */
  function schedule(part) {
    dirty[part] = true;
    if (!frame) frame = requestAnimationFrame(() => {
      frame = 0;
      if (dirty.input) renderInput();
      if (dirty.run) renderRun();
    });
  }

  function render() {
    renderInput();
    renderRun();
  }

  function summaryText() {
    if (model.checking) return t('bulk.preview.checking');
    if (model.problem) return t('bulk.preview.unusable');
    if (!model.rows.length) return t('bulk.preview.empty');
    const { valid, invalid, warnings } = model.tally;
    const total = model.rows.length;
    return [
      t('bulk.preview.summary', { total: fmt(total), valid: fmt(valid), invalid: fmt(invalid) }),
      warnings ? t('bulk.preview.warnings', { count: fmt(warnings) }) : '',
    ].filter(Boolean).join(' ');
  }

  function renderInput() {
    dirty.input = false;
    const def = kind();
    // Input and format.
    replace(ui.format, t('bulk.format.header'), ' ', h('code', {}, def.columns.join(',')), ' ', t(`bulk.format.${model.kind}`));
    ui.cluster.placeholder = def.placeholder;
    ui.text.placeholder = `${def.columns.join(',')}\n…`;
    const params = { ...model.problem?.params };
    if (params.kind) params.kind = t(params.kind);
    const problem = model.problem ? t(model.problem.key, params) : '';
    const target = model.source?.type === 'text' ? ui.textMsg : ui.fileMsg;
    const other = target === ui.textMsg ? ui.fileMsg : ui.textMsg;
    replace(other, null);
    const notes = [];
    if (problem) notes.push(h('li', { class: 'issue issue-error' }, h('span', { class: 'issue-mark', 'aria-hidden': 'true' }, '✕'), h('span', {}, problem)));
    if (model.header?.unknown.length) {
      notes.push(h('li', { class: 'issue issue-warning' }, h('span', { class: 'issue-mark', 'aria-hidden': 'true' }, '!'),
        h('span', {}, t('bulk.header.unknown', { columns: model.header.unknown.join(', ') }))));
    }
    if (model.source?.type === 'file' && !problem) {
      notes.push(h('li', { class: 'issue issue-info' }, h('span', {}, t('bulk.file.loaded', { name: model.source.name }))));
    }
    replace(target, notes.length ? h('ul', { class: 'issues' }, notes) : null);
    for (const control of [ui.text, ui.file]) control.removeAttribute('aria-invalid');
    if (problem) (model.source?.type === 'text' ? ui.text : ui.file).setAttribute('aria-invalid', 'true');

    // Preview.
    ui.checking.textContent = model.checking ? t('bulk.preview.checked', { count: fmt(model.rows.length) }) : '';
    if (!model.checking) ui.summary.dataset.total = String(model.rows.length);
    else delete ui.summary.dataset.total;
    ui.summary.dataset.invalid = String(model.tally.invalid);
    ui.summary.dataset.state = model.checking ? 'checking' : 'ready';
    // A live region: changed only when its sentence changes, not on every slice.
    const summary = summaryText();
    if (ui.summary.textContent !== summary) ui.summary.textContent = summary;
    renderPreviewTable(def);
    // Start depends on the checking.
    renderButtons();
  }

  function headRow(cells) {
    return h('tr', {}, cells.map((label) => h('th', { scope: 'col' }, label)));
  }

  function renderPreviewTable(def) {
    const only = ui.onlyInvalid.checked;
    const total = only ? model.tally.invalid : model.rows.length;
    const count = Math.min(model.shown, total);
    // Rows are only appended while checking, each checked once: the same key, the same table.
    const key = [model.gen, model.kind, only, count, getLang()].join('|');
    if (key !== previewKey) {
      previewKey = key;
      replace(ui.previewHead, headRow(['#', t('bulk.col.cluster'), t('bulk.col.user'), t('bulk.col.password'), t(def.extraLabel), t('bulk.col.check')]));
      const rows = only ? firstMatching(model.rows, (row) => !row.valid, model.shown) : model.rows.slice(0, model.shown);
      replace(ui.previewBody, rows.map((row) => previewRow(row, def)));
    }
    ui.previewWrap.hidden = model.rows.length === 0;
    ui.previewShowing.textContent = model.rows.length ? t('bulk.showing', { shown: fmt(count), total: fmt(total) }) : '';
    ui.previewMore.hidden = count >= total;
    ui.previewMore.textContent = t('bulk.more', { count: fmt(Math.min(PAGE_ROWS, total - count)) });
  }

  function firstMatching(rows, predicate, limit) {
    const found = [];
    for (let i = 0; i < rows.length && found.length < limit; i += 1) if (predicate(rows[i])) found.push(rows[i]);
    return found;
  }

  function previewRow(row, def) {
    const password = row.fields[def.password];
    const issues = [
      ...row.errors.map((issue) => h('li', { class: 'issue-error' }, h('span', { class: 'issue-mark', 'aria-hidden': 'true' }, '✕ '), issue.message)),
      ...row.warnings.map((issue) => h('li', { class: 'issue-warning' }, h('span', { class: 'issue-mark', 'aria-hidden': 'true' }, '! '), issue.message)),
    ];
    return h('tr', { class: row.valid ? null : 'row-invalid', dataset: { row: String(row.index), valid: String(row.valid) } },
      h('td', { class: 'num' }, String(row.index + 1)),
      valueCell(shown(row, row.cluster)),
      valueCell(shown(row, row.name)),
      h('td', { class: 'muted' }, password && !row.problem ? t('bulk.password.hidden') : t('bulk.empty')),
      valueCell(shown(row, row.fields[def.extra]), { wrap: true }),
      h('td', { class: 'check-cell' },
        row.valid && !issues.length ? h('span', { class: 'ok-text' }, h('span', { 'aria-hidden': 'true' }, '✓ '), t('bulk.valid')) : null,
        issues.length ? h('ul', { class: 'cell-issues' }, issues) : null));
  }

  /** A value from the file, as text; identifiers stay on one line, networks may wrap. */
  function valueCell(value, { wrap = false } = {}) {
    return h('td', {}, value ? h('code', { class: wrap ? 'wrap' : null }, value) : h('span', { class: 'muted' }, t('bulk.empty')));
  }

  function renderButtons() {
    const busy = active();
    // A run that sent nothing (refused for invalid rows) does not use the rows up.
    const stale = !run || run.version !== model.version || run.state === 'refused' || run.state === 'nothing';
    ui.start.disabled = busy || model.checking || !stale;
    ui.start.hidden = false;
    ui.pause.disabled = !busy || run.cancelled || (!run.paused && run.pending.length === 0 && !run.current);
    ui.pause.textContent = t(run?.paused && busy ? 'bulk.resume' : 'bulk.pause');
    ui.pause.setAttribute('aria-pressed', String(Boolean(run?.paused && busy)));
    ui.cancel.disabled = !busy || run.cancelled;
    ui.clear.disabled = busy;
    for (const control of [ui.kindClickhouse, ui.kindEhpc, ui.cluster, ui.concurrency, ui.file, ui.text, ui.skip]) control.disabled = busy;
    ui.again.hidden = busy || stale;
    const retryCount = retryable().length;
    ui.retry.hidden = retryCount === 0;
    ui.retry.textContent = t('bulk.retry', { count: fmt(retryCount) });
  }

  function renderRun() {
    dirty.run = false;
    renderButtons();
    ui.runSection.hidden = !run;
    if (!run) {
      ui.resultsMore.textContent = t('bulk.more', { count: fmt(PAGE_ROWS) });
      return;
    }
    const busy = active();

    const c = run.counts;
    const finished = FINAL.reduce((sum, s) => sum + c[s], 0);
    ui.progress.setAttribute('aria-valuemax', String(run.total));
    ui.progress.setAttribute('aria-valuenow', String(finished));
    ui.progress.setAttribute('aria-valuetext', t('bulk.progress.text', { done: fmt(finished), total: fmt(run.total) }));
    ui.progressBar.style.transform = `scaleX(${run.total ? finished / run.total : 1})`;
    for (const status of STATUSES) {
      ui.counts[status].textContent = fmt(c[status]);
      ui.counts[status].dataset.value = String(c[status]);
    }
    ui.eta.textContent = etaText();
    ui.runSection.dataset.state = run.state;

    const now = performance.now();
    if (!busy || now - lastTable >= TABLE_REFRESH_MS) {
      clearTimeout(tableTimer);
      tableTimer = 0;
      lastTable = now;
      renderResultsTable();
    } else if (!tableTimer) {
      tableTimer = setTimeout(() => {
        tableTimer = 0;
        schedule('run');
      }, TABLE_REFRESH_MS);
    }
  }

  function etaText() {
    if (run.state === 'refused' || run.state === 'nothing') return '';
    if (!active()) return run.finishedAt ? t('bulk.took', { time: duration((run.finishedAt - run.startedAt) / 1000) }) : '';
    if (run.paused) return '';
    const c = run.counts;
    const remaining = c.queued + c.sending + c.sent;
    const done = c.created + c.exists + c.failed;
    const seconds = activeMs() / 1000;
    if (done < 1 || seconds < 1) return t('bulk.eta.unknown');
    return t('bulk.eta', { time: duration(remaining / (done / seconds)) });
  }

  function activeMs() {
    const end = run.finishedAt ?? performance.now();
    return end - run.startedAt - run.pausedMs - (run.paused ? end - run.pausedAt : 0);
  }

  function renderResultsTable() {
    const def = KINDS[run.kind];
    const { filter } = run;
    ui.download.disabled = active();
    // The options show the counts of the moment.
    const options = [['all', t('bulk.filter.all', { count: fmt(run.total) })],
      ...STATUSES.map((s) => [s, `${t(`bulk.count.${s}`)} (${fmt(run.counts[s])})`])];
    if (ui.filter.options.length !== options.length) {
      replace(ui.filter, options.map(([value, label]) => h('option', { value }, label)));
    } else {
      options.forEach(([, label], i) => { if (ui.filter.options[i].textContent !== label) ui.filter.options[i].textContent = label; });
    }
    if (ui.filter.value !== filter) ui.filter.value = filter;
    // Rebuilt only when a row it shows (or may show) changed.
    if (!run.tableDirty && run.tableLang === getLang()) return;
    run.tableDirty = false;
    run.tableLang = getLang();
    replace(ui.resultsHead, headRow(['#', t('bulk.col.cluster'), t('bulk.col.user'), t('bulk.col.status'), t('bulk.col.job'), t('bulk.col.ret_code'), t('bulk.col.detail')]));
    const indexes = [];
    const total = filter === 'all' ? run.total : run.counts[filter];
    for (let i = 0; i < run.total && indexes.length < run.shown; i += 1) {
      if (filter === 'all' || run.status[i] === filter) indexes.push(i);
    }
    replace(ui.resultsBody, indexes.length
      ? indexes.map((i) => resultRow(i, def))
      : h('tr', {}, h('td', { colspan: '7', class: 'muted' }, t('bulk.results.empty'))));
    ui.resultsShowing.textContent = t('bulk.showing', { shown: fmt(indexes.length), total: fmt(total) });
    ui.resultsMore.hidden = indexes.length >= total;
    ui.resultsMore.textContent = t('bulk.more', { count: fmt(Math.min(PAGE_ROWS, total - indexes.length)) });
  }

  function resultRow(i, def) {
    const row = run.rows[i];
    const status = run.status[i];
    const info = run.info[i] ?? {};
    const details = [info.error?.message, info.note].filter(Boolean);
    return h('tr', { dataset: { row: String(i), status } },
      h('td', { class: 'num' }, String(i + 1)),
      valueCell(shown(row, row.cluster)),
      valueCell(shown(row, row.name)),
      h('td', {}, h('span', { class: `badge bulk-badge bulk-badge-${status}` }, t(`bulk.count.${status}`))),
      h('td', {}, info.jobId ? h('code', { class: 'job-id' }, info.jobId) : ''),
      h('td', {}, info.retCode !== undefined ? h('code', {}, String(info.retCode)) : ''),
      h('td', { class: 'detail-cell' }, details.join(' ')));
  }

  // ---- Running ---------------------------------------------------------------------------------

  function setState(state, message) {
    run.state = state;
    const c = run.counts;
    const params = {
      created: fmt(c.created), exists: fmt(c.exists), invalid: fmt(c.invalid), failed: fmt(c.failed),
      not_sent: fmt(c.not_sent), queued: fmt(c.queued + c.sending), message: message ?? '',
    };
    ui.state.textContent = t(`bulk.state.${state}`, params);
    ui.state.dataset.state = state;
    run.tableDirty = true;
    schedule('run');
  }

  function setStatus(i, status, info) {
    const old = run.status[i];
    if (old !== status) {
      run.counts[old] -= 1;
      run.counts[status] += 1;
      run.status[i] = status;
    }
    if (info) run.info[i] = info;
    if (run.filter !== 'all' || i < run.shown) run.tableDirty = true;
    schedule('run');
  }

  /** A progress event's row or a result, for row `i` of the run. */
  function apply(i, row) {
    if (row.status === 'queued' || row.status === 'sending' || row.status === 'sent') {
      setStatus(i, row.status, row.jobId ? { jobId: row.jobId } : undefined);
      return;
    }
    const retCode = row.retCode ?? row.error?.retCode;
    setStatus(i, row.status, { jobId: row.jobId, retCode, error: row.error, note: row.note });
    if (row.status === 'failed' && STOP_RET_CODES.has(retCode) && !run.cancelled) {
      stop('stopped', row.error?.message ?? '');
    }
  }

  function onBeforeUnload(event) {
    event.preventDefault();
    event.returnValue = '';
  }

  /** Problems that stop a run before anything is sent, as one sentence; '' when none. */
  function startProblems(s) {
    const problems = Object.values(settings.problems({ forSubmit: true }));
    const zone = validateClickHouseUser({
      cluster: 'cl-00000000', zone: s.zone, userName: 'u', userPassword: 'a-long-password', userNetworks: '::1',
    }, { lang: getLang() }).errors.filter((e) => e.field === 'zone').map((e) => e.message);
    return [...problems, ...zone].join(' ');
  }

  function concurrencyValue() {
    const n = Number(ui.concurrency.value);
    return Number.isInteger(n) && n >= 1 && n <= MAX_CONCURRENCY ? n : null;
  }

  /** The settings and concurrency to send with, or null (and why, shown) when they are unusable. */
  function sendSettings() {
    const s = settings.read();
    const problems = startProblems(s);
    if (problems) {
      ui.error.textContent = t('bulk.start.settings', { problems });
      return null;
    }
    const concurrency = concurrencyValue();
    if (concurrency === null) {
      ui.error.textContent = t('bulk.concurrency.invalid');
      ui.concurrency.focus();
      return null;
    }
    return { s, concurrency };
  }

  function start() {
    if (active()) return;
    ui.error.textContent = '';
    if (model.checking) return;
    if (!model.rows.length || model.problem) {
      ui.error.textContent = t('bulk.start.no_rows');
      return;
    }
    const send = sendSettings();
    if (!send) return;
    const rows = model.rows;
    const skip = ui.skip.checked;
    run = {
      kind: model.kind,
      version: model.version,
      rows,
      total: rows.length,
      status: new Array(rows.length),
      info: new Array(rows.length),
      counts: Object.fromEntries(STATUSES.map((s2) => [s2, 0])),
      pending: [],
      calls: new Set(),
      current: null,
      paused: false,
      cancelled: false,
      resume: null,
      state: 'running',
      startedAt: performance.now(),
      pausedAt: 0,
      pausedMs: 0,
      finishedAt: null,
      shown: PAGE_ROWS,
      filter: 'all',
      tableDirty: true,
      tableLang: '',
    };
    for (const row of rows) {
      if (row.valid) {
        run.status[row.index] = 'queued';
        run.pending.push(row.index);
      } else {
        run.status[row.index] = 'invalid';
        run.info[row.index] = { error: { code: 'invalid_input', message: row.errors.map((e) => e.message).join(' '), errors: row.errors } };
      }
      run.counts[run.status[row.index]] += 1;
    }
    lastTable = 0;
    if (run.counts.invalid && !skip) {
      // 'stop': nothing is sent while any row is invalid, and the invalid rows are shown.
      for (const i of run.pending) setStatus(i, 'not_sent', { note: t('bulk.note.stopped') });
      run.pending = [];
      run.filter = 'invalid';
      finish('refused');
      return;
    }
    if (!run.pending.length) {
      finish('nothing');
      return;
    }
    launch(send, skip);
  }

  /** The rows of the finished run that failed or were not sent, which Retry sends again. */
  function retryable() {
    if (!run || active() || run.state === 'refused' || run.state === 'nothing' || run.version !== model.version) return [];
    const indexes = [];
    for (let i = 0; i < run.total; i += 1) {
      if (run.status[i] === 'failed' || run.status[i] === 'not_sent') indexes.push(i);
    }
    return indexes;
  }

  /**
   * Sends the failed and unsent rows of the finished run again, in the same run: the other rows
   * keep their outcome. A row whose user was created after all (an answer lost on the way back)
   * ends as "already existed", so nothing is created twice.
   */
  function retry() {
    const indexes = retryable();
    if (!indexes.length) return;
    ui.error.textContent = '';
    const send = sendSettings();
    if (!send) return;
    Object.assign(run, {
      pending: indexes, paused: false, cancelled: false, reason: undefined, reasonMessage: undefined,
      startedAt: performance.now(), pausedMs: 0, finishedAt: null, tableDirty: true,
    });
    for (const i of indexes) {
      run.info[i] = undefined;
      setStatus(i, 'queued', null);
    }
    lastTable = 0;
    launch(send, ui.skip.checked);
  }

  /** Sends the run's pending rows. */
  function launch({ s, concurrency }, skip) {
    const def = KINDS[run.kind];
    const credentials = { accessKeyId: s.accessKeyId, secretAccessKey: settings.secret() };
    const options = {
      endpoint: def.endpoint(s, settings),
      jobsEndpoint: s.endpoint,
      zone: s.zone,
      method: s.method,
      lang: getLang(),
      concurrency,
      onInvalid: skip ? 'skip' : 'stop',
    };
    addEventListener('beforeunload', onBeforeUnload);
    setState('running');
    const current = run;
    execute(current, def, credentials, options).catch((error) => {
      // Not expected: the package reports per row. Say so rather than hang in "running".
      if (run !== current || !active()) return;
      for (let i = 0; i < run.total; i += 1) {
        if (!FINAL.includes(run.status[i])) setStatus(i, 'failed', { error: describeError(error) });
      }
      finish('error', describeError(error).message);
    });
    render();
    ui.pause.focus();
  }

  async function execute(current, def, credentials, options) {
    const zone = options.zone;
    while (current.pending.length && !current.cancelled) {
      if (current.paused) {
        setState('paused');
        await new Promise((resolve) => { current.resume = resolve; });
        current.resume = null;
        continue;
      }
      const call = sendChunk(current, def, current.pending.splice(0, CHUNK_ROWS), credentials, options, zone);
      current.current = call;
      schedule('run');
      // The next chunk starts once this one has nothing left to send; its jobs are still followed.
      await call.drained;
      current.current = null;
      if (call.requeue.length && !current.cancelled) current.pending.unshift(...call.requeue.sort((a, b) => a - b));
    }
    await Promise.all([...current.calls].map((call) => call.done));
    // Rows that never went out (cancelled while queued) are not sent.
    for (let i = 0; i < current.total; i += 1) {
      if (current.status[i] === 'queued') setStatus(i, 'not_sent', { note: t(current.reason === 'stopped' ? 'bulk.note.stopped_auth' : 'bulk.note.cancelled') });
    }
    finish(current.reason ?? 'done', current.reasonMessage);
  }

  /** One call of the bulk API for the rows `indexes` of the run. */
  function sendChunk(current, def, indexes, credentials, options, zone) {
    const controller = new AbortController();
    let markDrained;
    const call = {
      controller,
      requeue: [],
      released: new Set(),
      pauseAbort: false,
      isDrained: false,
      drained: new Promise((resolve) => { markDrained = resolve; }),
    };
    const drain = () => {
      call.isDrained = true;
      markDrained();
    };
    /** A row the pause took back: it was never sent, and will be sent by a later chunk. */
    const release = (i) => {
      call.released.add(i);
      call.requeue.push(i);
      setStatus(i, 'queued', null);
      current.info[i] = undefined;
    };
    const inputs = indexes.map((i) => def.input(current.rows[i].fields, current.rows[i].cluster, zone));
    const done = def.send(inputs, credentials, {
      ...options,
      signal: controller.signal,
      onProgress: (event) => {
        const i = indexes[event.row.index];
        if (call.released.has(i)) return;
        if (event.row.status === 'not_sent' && call.pauseAbort && !current.cancelled) release(i);
        else apply(i, event.row);
        if (event.queued === 0 && event.sending === 0) drain();
      },
    }).then((result) => {
      for (const row of result.results) {
        const i = indexes[row.index];
        if (call.released.has(i)) continue;
        if (row.status === 'not_sent' && call.pauseAbort && !current.cancelled && !call.isDrained) release(i);
        else apply(i, row);
      }
    }, (error) => {
      const described = describeError(error);
      for (const i of indexes) {
        if (!call.released.has(i) && !FINAL.includes(current.status[i])) setStatus(i, 'failed', { error: described, retCode: described.retCode });
      }
      stop('error', described.message);
    }).finally(() => {
      drain();
      current.calls.delete(call);
    });
    call.done = done;
    current.calls.add(call);
    return call;
  }

  function pause() {
    if (!active() || run.cancelled) return;
    if (run.paused) {
      run.paused = false;
      run.pausedMs += performance.now() - run.pausedAt;
      setState('running');
      run.resume?.();
      return;
    }
    run.paused = true;
    run.pausedAt = performance.now();
    const call = run.current;
    if (call && !call.isDrained) {
      call.pauseAbort = true;
      call.controller.abort();
      setState('pausing');
    } else {
      setState('paused');
    }
  }

  /** Stops the run: the call being sent stops sending (in-flight rows finish); queued rows are not sent. */
  function stop(reason, message) {
    if (!active() || run.cancelled) return;
    run.cancelled = true;
    run.reason = reason;
    run.reasonMessage = message;
    if (run.paused) {
      run.pausedMs += performance.now() - run.pausedAt;
      run.paused = false;
    }
    // Calls that have sent everything only follow their jobs, which the signal leaves alone.
    for (const call of run.calls) call.controller.abort();
    const note = t(reason === 'stopped' ? 'bulk.note.stopped_auth' : 'bulk.note.cancelled');
    for (const i of run.pending) setStatus(i, 'not_sent', { note });
    run.pending = [];
    run.resume?.();
    setState('cancelling');
  }

  function finish(state, message) {
    run.finishedAt = performance.now();
    removeEventListener('beforeunload', onBeforeUnload);
    lastTable = 0;
    setState(state, message);
    render();
    // Pause and Cancel are disabled now: keep the keyboard's place on the outcome.
    const focused = document.activeElement;
    if (!focused || focused === document.body || focused.disabled) ui.state.focus();
  }

  // ---- Results file -----------------------------------------------------------------------------

  function download() {
    if (!run || active()) return;
    const def = KINDS[run.kind];
    const lines = [['index', def.cluster, def.name, 'status', 'job_id', 'ret_code', 'error', 'note']];
    for (let i = 0; i < run.total; i += 1) {
      const row = run.rows[i];
      const info = run.info[i] ?? {};
      lines.push([i + 1, shown(row, row.cluster), shown(row, row.name), run.status[i], info.jobId ?? '', info.retCode ?? '', info.error?.message ?? '', info.note ?? '']);
    }
    // A byte order mark, so that spreadsheets read UTF-8 (Chinese messages) as such.
    const blob = new Blob(['\ufeff', toCsv(lines, { safe: true })], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    const link = h('a', { href: url, download: `qingcloud-${run.kind}-users-${stamp}.csv`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    ui.announce.textContent = t('bulk.download.done');
  }

  // ---- Events -----------------------------------------------------------------------------------

  for (const radio of [ui.kindClickhouse, ui.kindEhpc]) {
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      model.kind = radio.value;
      reload();
    });
  }
  ui.cluster.addEventListener('input', () => reload({ soon: true }));
  ui.file.addEventListener('change', () => loadFile(ui.file.files?.[0]));
  ui.text.addEventListener('input', () => {
    ui.file.value = '';
    model.source = ui.text.value ? { type: 'text', name: '', text: ui.text.value } : null;
    reload({ soon: true });
  });
  ui.drop.addEventListener('dragover', (event) => {
    if (active()) return;
    event.preventDefault();
    ui.drop.classList.add('dragging');
  });
  ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('dragging'));
  ui.drop.addEventListener('drop', (event) => {
    event.preventDefault();
    ui.drop.classList.remove('dragging');
    const file = event.dataTransfer?.files?.[0];
    if (!file || active()) return;
    try {
      ui.file.files = event.dataTransfer.files;
    } catch {
      // Older browsers cannot set the input's files; the file is read all the same.
    }
    loadFile(file);
  });
  // A file dropped beside the drop zone must not make the browser open it and leave the page.
  const files = (event) => event.dataTransfer?.types?.includes('Files');
  document.addEventListener('dragover', (event) => {
    if (files(event)) event.preventDefault();
  });
  document.addEventListener('drop', (event) => {
    if (files(event)) event.preventDefault();
  });
  ui.concurrency.addEventListener('input', () => {
    const ok = concurrencyValue() !== null;
    if (ok) ui.concurrency.removeAttribute('aria-invalid');
    else ui.concurrency.setAttribute('aria-invalid', 'true');
    ui.concurrency.closest('.field').classList.toggle('has-error', !ok);
    replace(ui.concurrencyMsg, ok ? null : h('ul', { class: 'issues' }, h('li', { class: 'issue issue-error' },
      h('span', { class: 'issue-mark', 'aria-hidden': 'true' }, '✕'), h('span', {}, t('bulk.concurrency.invalid')))));
  });
  ui.onlyInvalid.addEventListener('change', () => {
    model.shown = PAGE_ROWS;
    render();
  });
  ui.previewMore.addEventListener('click', () => {
    model.shown += PAGE_ROWS;
    render();
  });
  ui.filter.addEventListener('change', () => {
    run.filter = ui.filter.value;
    run.shown = PAGE_ROWS;
    run.tableDirty = true;
    lastTable = 0;
    render();
  });
  ui.resultsMore.addEventListener('click', () => {
    run.shown += PAGE_ROWS;
    run.tableDirty = true;
    lastTable = 0;
    render();
  });
  ui.start.addEventListener('click', start);
  ui.pause.addEventListener('click', pause);
  ui.cancel.addEventListener('click', () => stop('cancelled'));
  ui.download.addEventListener('click', download);
  ui.retry.addEventListener('click', retry);
  ui.clear.addEventListener('click', () => {
    if (active()) return;
    ui.file.value = '';
    ui.text.value = '';
    ui.error.textContent = '';
    model.source = null;
    run = null;
    reload();
  });

  onLangChange(() => {
    lastTable = 0;
    if (run && !active()) setState(run.state, run.reasonMessage);
    else if (run) setState(run.state);
    // Messages come from the package in the page's language: check again (the rows stay the same).
    if (model.source) reload({ changed: false });
    else render();
  });

  render();
  return {
    /** Whether a run is going on. */
    active,
  };
}

/** The tab's elements; text comes from data-i18n (static) or from render (dynamic). */
function buildUi() {
  const i18n = (key) => ({ i18n: key });
  const field = (id, labelKey, control, hintKey) => h('div', { class: 'field' },
    h('label', { for: id, dataset: i18n(labelKey) }),
    control,
    h('p', { class: 'hint', id: `${id}-hint`, dataset: i18n(hintKey) }),
    h('div', { class: 'messages', id: `${id}-msg` }));
  const ui = {};
  ui.kindClickhouse = h('input', { type: 'radio', id: 'bulk-kind-clickhouse', name: 'bulk-kind', value: 'clickhouse', checked: true });
  ui.kindEhpc = h('input', { type: 'radio', id: 'bulk-kind-ehpc', name: 'bulk-kind', value: 'ehpc' });
  ui.format = h('p', { class: 'hint', id: 'bulk-format' });
  ui.cluster = h('input', { id: 'bulk-cluster', name: 'bulk-cluster', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', 'aria-describedby': 'bulk-cluster-hint bulk-cluster-msg' });
  ui.concurrency = h('input', { id: 'bulk-concurrency', name: 'bulk-concurrency', type: 'number', inputmode: 'numeric', min: '1', max: String(MAX_CONCURRENCY), step: '1', value: '4', 'aria-describedby': 'bulk-concurrency-hint bulk-concurrency-msg' });
  ui.file = h('input', { id: 'bulk-file', name: 'bulk-file', type: 'file', accept: '.csv,.tsv,.txt,text/csv,text/plain', 'aria-describedby': 'bulk-file-hint bulk-file-msg' });
  ui.text = h('textarea', { id: 'bulk-text', name: 'bulk-text', rows: '6', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', wrap: 'off', 'aria-describedby': 'bulk-text-hint bulk-text-msg' });
  ui.skip = h('input', { type: 'checkbox', id: 'bulk-skip', name: 'bulk-skip', 'aria-describedby': 'bulk-skip-hint' });
  ui.onlyInvalid = h('input', { type: 'checkbox', id: 'bulk-only-invalid' });
  ui.summary = h('p', { id: 'bulk-summary', class: 'bulk-summary', role: 'status' });
  ui.checking = h('p', { id: 'bulk-checking', class: 'muted small' });
  ui.previewHead = h('thead');
  ui.previewBody = h('tbody');
  ui.previewWrap = h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': 'bulk-preview-heading' },
    h('table', { class: 'bulk-table', id: 'bulk-preview-table' },
      h('caption', { class: 'visually-hidden', dataset: i18n('bulk.table.preview') }), ui.previewHead, ui.previewBody));
  ui.previewShowing = h('p', { class: 'muted small', id: 'bulk-preview-showing' });
  ui.previewMore = h('button', { type: 'button', class: 'button subtle small', id: 'bulk-preview-more', hidden: true });
  ui.start = h('button', { type: 'button', class: 'button primary', id: 'bulk-start', dataset: i18n('bulk.start') });
  ui.pause = h('button', { type: 'button', class: 'button subtle', id: 'bulk-pause', 'aria-pressed': 'false' });
  ui.cancel = h('button', { type: 'button', class: 'button subtle', id: 'bulk-cancel', dataset: i18n('bulk.cancel') });
  ui.clear = h('button', { type: 'button', class: 'button subtle small', id: 'bulk-clear', dataset: i18n('bulk.clear') });
  ui.error = h('p', { class: 'form-status', id: 'bulk-error', role: 'alert' });
  ui.again = h('p', { class: 'hint', id: 'bulk-again', dataset: i18n('bulk.start.again'), hidden: true });
  ui.progressBar = h('div', { class: 'bulk-progress-bar' });
  ui.progress = h('div', { class: 'bulk-progress', id: 'bulk-progress', role: 'progressbar', 'aria-labelledby': 'bulk-run-heading', 'aria-valuemin': '0', 'aria-valuemax': '0', 'aria-valuenow': '0' }, ui.progressBar);
  ui.state = h('p', { id: 'bulk-state', class: 'bulk-state', role: 'status', tabindex: '-1' });
  ui.eta = h('p', { id: 'bulk-eta', class: 'muted small' });
  ui.counts = {};
  const counts = h('dl', { class: 'bulk-counts', id: 'bulk-counts' }, STATUSES.map((status) => {
    ui.counts[status] = h('dd', { dataset: { count: status, value: '0' } }, '0');
    return h('div', { class: `bulk-count bulk-count-${status}` }, h('dt', { dataset: i18n(`bulk.count.${status}`) }), ui.counts[status]);
  }));
  ui.filter = h('select', { id: 'bulk-filter', name: 'bulk-filter' });
  ui.download = h('button', { type: 'button', class: 'button subtle small', id: 'bulk-download', dataset: i18n('bulk.download') });
  ui.retry = h('button', { type: 'button', class: 'button subtle small', id: 'bulk-retry', hidden: true });
  ui.resultsHead = h('thead');
  ui.resultsBody = h('tbody');
  ui.resultsShowing = h('p', { class: 'muted small', id: 'bulk-results-showing' });
  ui.resultsMore = h('button', { type: 'button', class: 'button subtle small', id: 'bulk-results-more', hidden: true });
  ui.announce = h('p', { class: 'visually-hidden', id: 'bulk-announce', role: 'status' });
  ui.drop = h('div', { class: 'dropzone', id: 'bulk-drop' }, ui.file,
    h('p', { class: 'hint', id: 'bulk-file-hint', dataset: i18n('bulk.file.hint') }));
  ui.fileMsg = h('div', { class: 'messages', id: 'bulk-file-msg' });
  ui.textMsg = h('div', { class: 'messages', id: 'bulk-text-msg' });
  ui.concurrencyMsg = h('div', { class: 'messages', id: 'bulk-concurrency-msg' });
  ui.runSection = h('section', { class: 'bulk-section bulk-run', id: 'bulk-run', 'aria-labelledby': 'bulk-run-heading', hidden: true },
    h('h4', { id: 'bulk-run-heading', dataset: i18n('bulk.progress') }),
    ui.progress, ui.state, ui.eta, counts,
    h('div', { class: 'section-head' },
      h('h4', { id: 'bulk-results-heading', dataset: i18n('bulk.results') }),
      h('div', { class: 'section-tools' },
        h('label', { for: 'bulk-filter', dataset: i18n('bulk.filter') }), ui.filter, ui.retry, ui.download)),
    h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': 'bulk-results-heading' },
      h('table', { class: 'bulk-table', id: 'bulk-results-table' },
        h('caption', { class: 'visually-hidden', dataset: i18n('bulk.table.results') }), ui.resultsHead, ui.resultsBody)),
    h('div', { class: 'table-foot' }, ui.resultsShowing, ui.resultsMore));

  ui.element = h('div', { class: 'bulk' },
    h('h3', { id: 'bulk-heading', dataset: i18n('bulk.heading') }),
    h('p', { class: 'muted small', dataset: i18n('bulk.intro') }),
    h('fieldset', { class: 'field choice', 'aria-describedby': 'bulk-format' },
      h('legend', { dataset: i18n('bulk.kind') }),
      h('div', { class: 'segmented' },
        ui.kindClickhouse, h('label', { for: 'bulk-kind-clickhouse', dataset: i18n('tab.clickhouse') }),
        ui.kindEhpc, h('label', { for: 'bulk-kind-ehpc', dataset: i18n('tab.ehpc') })),
      ui.format),
    h('div', { class: 'grid-2' },
      field('bulk-cluster', 'bulk.cluster', ui.cluster, 'bulk.cluster.hint'),
      h('div', { class: 'field' },
        h('label', { for: 'bulk-concurrency', dataset: i18n('bulk.concurrency') }),
        ui.concurrency,
        h('p', { class: 'hint', id: 'bulk-concurrency-hint', dataset: i18n('bulk.concurrency.hint') }),
        ui.concurrencyMsg)),
    h('div', { class: 'field' }, h('label', { for: 'bulk-file', dataset: i18n('bulk.file') }), ui.drop, ui.fileMsg),
    h('div', { class: 'field' },
      h('label', { for: 'bulk-text', dataset: i18n('bulk.text') }),
      ui.text,
      h('p', { class: 'hint', id: 'bulk-text-hint', dataset: i18n('bulk.text.hint') }),
      ui.textMsg),
    h('section', { class: 'bulk-section', id: 'bulk-preview', 'aria-labelledby': 'bulk-preview-heading' },
      h('div', { class: 'section-head' },
        h('h4', { id: 'bulk-preview-heading', dataset: i18n('bulk.preview') }),
        h('div', { class: 'section-tools check' }, ui.onlyInvalid, h('label', { for: 'bulk-only-invalid', dataset: i18n('bulk.preview.only_invalid') }))),
      ui.summary, ui.checking, ui.previewWrap,
      h('div', { class: 'table-foot' }, ui.previewShowing, ui.previewMore)),
    h('div', { class: 'field check' },
      ui.skip,
      h('label', { for: 'bulk-skip', dataset: i18n('bulk.skip') }),
      h('p', { class: 'hint', id: 'bulk-skip-hint', dataset: i18n('bulk.skip.hint') })),
    h('div', { class: 'actions' }, ui.start, ui.pause, ui.cancel, ui.clear, ui.error),
    ui.again,
    ui.runSection,
    ui.announce);
  return ui;
}
