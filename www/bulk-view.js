// The Bulk tab's rendering: the input's messages, the preview of the rows, the buttons, the run's
// progress and the results table, drawn from the rows (bulk-rows.js) and the run (bulk-run.js).
// Rendering waits for the next frame, so that any number of changes make one render, and the
// results table is rebuilt at most every TABLE_REFRESH_MS while a run goes on. Every value from
// the file or the server is shown as text; a row that could not be read shows none of its fields.

import { KINDS, visible } from './bulk-rows.js';
import { controls, FINAL, STATUSES } from './bulk-run.js';
import { chosenConcurrency } from './bulk-send.js';
import { h, replace } from './dom.js';
import { getLang, t } from './i18n.js';

/** Table rows rendered at first, and added by "show more". */
const PAGE_ROWS = 100;
/** The results table is rebuilt at most this often while a run goes on. */
const TABLE_REFRESH_MS = 300;

const locale = () => (getLang() === 'zh' ? 'zh-CN' : 'en-US');
const fmt = (n) => n.toLocaleString(locale());

/** "12 s", "3 min 5 s", "1 h 20 min". */
function duration(seconds) {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return t('bulk.time.s', { s });
  if (s < 3600) return t('bulk.time.m', { m: Math.floor(s / 60), s: s % 60 });
  return t('bulk.time.h', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

function issueList(kind, text) {
  const mark = kind === 'error' ? '✕' : '!';
  return h('li', { class: `issue issue-${kind}` }, h('span', { class: 'issue-mark', 'aria-hidden': 'true' }, mark), h('span', {}, text));
}

function headRow(cells) {
  return h('tr', {}, cells.map((label) => h('th', { scope: 'col' }, label)));
}

/** A value from the file, as text; identifiers stay on one line, networks may wrap. */
function valueCell(value, { wrap = false } = {}) {
  return h('td', {}, value ? h('code', { class: wrap ? 'wrap' : null }, value) : h('span', { class: 'muted' }, t('bulk.empty')));
}

function firstMatching(rows, predicate, limit) {
  const found = [];
  for (let i = 0; i < rows.length && found.length < limit; i += 1) if (predicate(rows[i])) found.push(rows[i]);
  return found;
}

/**
 * Renders the tab into `ui` (bulk-ui.js) from `model.sheet` and `model.run` (null before a run),
 * and handles the events that change only what is shown.
 */
export function createView(ui, model) {
  let frame = 0;
  const dirty = { input: false, run: false };
  let previewShown = PAGE_ROWS;
  let previewKey = '';
  /** The results table of the run shown: its filter, how many rows, and whether to rebuild it. */
  let results = { filter: 'all', shown: PAGE_ROWS, dirty: true, lang: '' };
  let lastTable = 0;
  let tableTimer = 0;
  let unsubscribe = () => {};

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

  // ---- The input and the preview ----------------------------------------------------------------

  function summaryText() {
    const { sheet } = model;
    if (sheet.checking) return t('bulk.preview.checking');
    if (sheet.problem) return t('bulk.preview.unusable');
    if (!sheet.rows.length) return t('bulk.preview.empty');
    const { valid, invalid, warnings } = sheet.tally;
    return [
      t('bulk.preview.summary', { total: fmt(sheet.rows.length), valid: fmt(valid), invalid: fmt(invalid) }),
      warnings ? t('bulk.preview.warnings', { count: fmt(warnings) }) : '',
    ].filter(Boolean).join(' ');
  }

  function renderInput() {
    dirty.input = false;
    const { sheet } = model;
    const kind = KINDS[sheet.kind];
    replace(ui.format, t('bulk.format.header'), ' ', h('code', {}, kind.columns.join(',')), ' ', t(`bulk.format.${sheet.kind}`));
    ui.cluster.placeholder = kind.placeholder;
    ui.text.placeholder = `${kind.columns.join(',')}\n…`;
    const params = { ...sheet.problem?.params };
    if (params.kind) params.kind = t(params.kind);
    const problem = sheet.problem ? t(sheet.problem.key, params) : '';
    const fromText = sheet.source?.type === 'text';
    replace(fromText ? ui.fileMsg : ui.textMsg, null);
    const notes = [];
    if (problem) notes.push(issueList('error', problem));
    if (sheet.header?.unknown.length) notes.push(issueList('warning', t('bulk.header.unknown', { columns: sheet.header.unknown.join(', ') })));
    if (sheet.source?.type === 'file' && !problem) {
      notes.push(h('li', { class: 'issue issue-info' }, h('span', {}, t('bulk.file.loaded', { name: sheet.source.name }))));
    }
    replace(fromText ? ui.textMsg : ui.fileMsg, notes.length ? h('ul', { class: 'issues' }, notes) : null);
    for (const control of [ui.text, ui.file]) control.removeAttribute('aria-invalid');
    if (problem) (fromText ? ui.text : ui.file).setAttribute('aria-invalid', 'true');

    ui.checking.textContent = sheet.checking ? t('bulk.preview.checked', { count: fmt(sheet.rows.length) }) : '';
    if (!sheet.checking) ui.summary.dataset.total = String(sheet.rows.length);
    else delete ui.summary.dataset.total;
    ui.summary.dataset.invalid = String(sheet.tally.invalid);
    ui.summary.dataset.state = sheet.checking ? 'checking' : 'ready';
    // A live region: changed only when its sentence changes, not on every slice.
    const summary = summaryText();
    if (ui.summary.textContent !== summary) ui.summary.textContent = summary;
    renderPreviewTable(kind);
    renderButtons();
  }

  function renderPreviewTable(kind) {
    const { sheet } = model;
    const only = ui.onlyInvalid.checked;
    const total = only ? sheet.tally.invalid : sheet.rows.length;
    const count = Math.min(previewShown, total);
    // Rows are only appended while checking, each checked once: the same key, the same table.
    const key = [sheet.gen, sheet.kind, only, count, getLang()].join('|');
    if (key !== previewKey) {
      previewKey = key;
      replace(ui.previewHead, headRow(['#', t('bulk.col.cluster'), t('bulk.col.user'), t('bulk.col.password'), t(kind.extraLabel), t('bulk.col.check')]));
      const rows = only ? firstMatching(sheet.rows, (row) => !row.valid, previewShown) : sheet.rows.slice(0, previewShown);
      replace(ui.previewBody, rows.map((row) => previewRow(row, kind)));
    }
    ui.previewWrap.hidden = sheet.rows.length === 0;
    ui.previewShowing.textContent = sheet.rows.length ? t('bulk.showing', { shown: fmt(count), total: fmt(total) }) : '';
    ui.previewMore.hidden = count >= total;
    ui.previewMore.textContent = t('bulk.more', { count: fmt(Math.min(PAGE_ROWS, total - count)) });
  }

  function previewRow(row, kind) {
    const password = row.fields[kind.password];
    const issues = [
      ...row.errors.map((issue) => h('li', { class: 'issue-error' }, h('span', { class: 'issue-mark', 'aria-hidden': 'true' }, '✕ '), issue.message)),
      ...row.warnings.map((issue) => h('li', { class: 'issue-warning' }, h('span', { class: 'issue-mark', 'aria-hidden': 'true' }, '! '), issue.message)),
    ];
    return h('tr', { class: row.valid ? null : 'row-invalid', dataset: { row: String(row.index), valid: String(row.valid) } },
      h('td', { class: 'num' }, String(row.index + 1)),
      valueCell(visible(row, row.cluster)),
      valueCell(visible(row, row.name)),
      h('td', { class: 'muted' }, password && !row.problem ? t('bulk.password.hidden') : t('bulk.empty')),
      valueCell(visible(row, row.fields[kind.extra]), { wrap: true }),
      h('td', { class: 'check-cell' },
        row.valid && !issues.length ? h('span', { class: 'ok-text' }, h('span', { 'aria-hidden': 'true' }, '✓ '), t('bulk.valid')) : null,
        issues.length ? h('ul', { class: 'cell-issues' }, issues) : null));
  }

  function renderButtons() {
    const can = controls(model.sheet, model.run);
    ui.start.disabled = !can.start;
    ui.pause.disabled = !can.pause;
    ui.pause.textContent = t(can.resumes ? 'bulk.resume' : 'bulk.pause');
    ui.pause.setAttribute('aria-pressed', String(can.resumes));
    ui.cancel.disabled = !can.cancel;
    ui.clear.disabled = !can.edit;
    for (const control of [ui.kindClickhouse, ui.kindEhpc, ui.cluster, ui.concurrencyAuto, ui.concurrencyFixed, ui.concurrency, ui.file, ui.text, ui.skip]) control.disabled = !can.edit;
    ui.again.hidden = !can.again;
    ui.retry.hidden = can.retry === 0;
    ui.retry.textContent = t('bulk.retry', { count: fmt(can.retry) });
    ui.download.disabled = !can.download;
  }

  // ---- The run and its results -----------------------------------------------------------------

  function renderRun() {
    dirty.run = false;
    renderButtons();
    const { run } = model;
    ui.runSection.hidden = !run;
    if (!run) {
      ui.resultsMore.textContent = t('bulk.more', { count: fmt(PAGE_ROWS) });
      return;
    }
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
    ui.eta.textContent = timeText(run.timing());
    ui.limit.textContent = run.active() && run.concurrency ? t('bulk.limit', { count: fmt(run.concurrency) }) : '';
    ui.runSection.dataset.state = run.state;

    const now = performance.now();
    if (!run.active() || now - lastTable >= TABLE_REFRESH_MS) {
      clearTimeout(tableTimer);
      tableTimer = 0;
      lastTable = now;
      renderResultsTable(run);
    } else if (!tableTimer) {
      tableTimer = setTimeout(() => {
        tableTimer = 0;
        schedule('run');
      }, TABLE_REFRESH_MS);
    }
  }

  function timeText(timing) {
    if (!timing) return '';
    if ('took' in timing) return t('bulk.took', { time: duration(timing.took) });
    return timing.left === null ? t('bulk.eta.unknown') : t('bulk.eta', { time: duration(timing.left) });
  }

  function renderResultsTable(run) {
    const kind = KINDS[run.kind];
    const { filter } = results;
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
    if (!results.dirty && results.lang === getLang()) return;
    results.dirty = false;
    results.lang = getLang();
    replace(ui.resultsHead, headRow(['#', t('bulk.col.cluster'), t('bulk.col.user'), t('bulk.col.status'), t('bulk.col.job'), t('bulk.col.ret_code'), t('bulk.col.detail')]));
    const indexes = [];
    const total = filter === 'all' ? run.total : run.counts[filter];
    for (let i = 0; i < run.total && indexes.length < results.shown; i += 1) {
      if (filter === 'all' || run.status[i] === filter) indexes.push(i);
    }
    replace(ui.resultsBody, indexes.length
      ? indexes.map((i) => resultRow(run, i))
      : h('tr', {}, h('td', { colspan: '7', class: 'muted' }, t('bulk.results.empty'))));
    ui.resultsShowing.textContent = t('bulk.showing', { shown: fmt(indexes.length), total: fmt(total) });
    ui.resultsMore.hidden = indexes.length >= total;
    ui.resultsMore.textContent = t('bulk.more', { count: fmt(Math.min(PAGE_ROWS, total - indexes.length)) });
  }

  function resultRow(run, i) {
    const row = run.rows[i];
    const status = run.status[i];
    const info = run.info[i] ?? {};
    const details = [info.error?.message, info.note].filter(Boolean);
    return h('tr', { dataset: { row: String(i), status } },
      h('td', { class: 'num' }, String(i + 1)),
      valueCell(visible(row, row.cluster)),
      valueCell(visible(row, row.name)),
      h('td', {}, h('span', { class: `badge bulk-badge bulk-badge-${status}` }, t(`bulk.count.${status}`))),
      h('td', {}, info.jobId ? h('code', { class: 'job-id' }, info.jobId) : ''),
      h('td', {}, info.retCode !== undefined ? h('code', {}, String(info.retCode)) : ''),
      h('td', { class: 'detail-cell' }, details.join(' ')));
  }

  /** The run's state as a sentence, with the counts of the moment it changed. */
  function showState() {
    const { run } = model;
    const c = run.counts;
    ui.state.textContent = t(`bulk.state.${run.state}`, {
      created: fmt(c.created), exists: fmt(c.exists), invalid: fmt(c.invalid), failed: fmt(c.failed),
      not_sent: fmt(c.not_sent), queued: fmt(c.queued + c.sending), message: run.reasonMessage ?? '',
    });
    ui.state.dataset.state = run.state;
    results.dirty = true;
    schedule('run');
  }

  function stateChanged() {
    showState();
    if (model.run.active()) return;
    lastTable = 0;
    render();
    // Pause and Cancel are disabled now: keep the keyboard's place on the outcome.
    const focused = document.activeElement;
    if (!focused || focused === document.body || focused.disabled) ui.state.focus();
  }

  function rowChanged(i) {
    if (results.filter !== 'all' || i < results.shown) results.dirty = true;
    schedule('run');
  }

  // ---- Events that change only what is shown ----------------------------------------------------

  /** Marks the fixed number invalid, or not; Auto needs none. */
  function checkConcurrency() {
    const ok = chosenConcurrency({ auto: ui.concurrencyAuto.checked, text: ui.concurrency.value }) !== null;
    if (ok) ui.concurrency.removeAttribute('aria-invalid');
    else ui.concurrency.setAttribute('aria-invalid', 'true');
    ui.concurrency.closest('.field').classList.toggle('has-error', !ok);
    replace(ui.concurrencyMsg, ok ? null : h('ul', { class: 'issues' }, issueList('error', t('bulk.concurrency.invalid'))));
  }
  // Typing a number chooses it.
  ui.concurrency.addEventListener('input', () => {
    ui.concurrencyFixed.checked = true;
    checkConcurrency();
  });
  for (const radio of [ui.concurrencyAuto, ui.concurrencyFixed]) radio.addEventListener('change', checkConcurrency);
  ui.onlyInvalid.addEventListener('change', () => {
    previewShown = PAGE_ROWS;
    render();
  });
  ui.previewMore.addEventListener('click', () => {
    previewShown += PAGE_ROWS;
    render();
  });
  ui.filter.addEventListener('change', () => {
    results = { ...results, filter: ui.filter.value, shown: PAGE_ROWS, dirty: true };
    lastTable = 0;
    render();
  });
  ui.resultsMore.addEventListener('click', () => {
    results.shown += PAGE_ROWS;
    results.dirty = true;
    lastTable = 0;
    render();
  });

  return {
    schedule,
    render,
    /** The preview is not the input's until the new rows are checked: say so at once, not at the next frame. */
    checking() {
      ui.summary.dataset.state = 'checking';
      delete ui.summary.dataset.total;
    },
    /** A new input: the preview starts from its first rows. */
    resetPreview() {
      previewShown = PAGE_ROWS;
    },
    fileMessage(text) {
      replace(ui.fileMsg, text ? h('ul', { class: 'issues' }, issueList('error', text)) : null);
    },
    error(text) {
      ui.error.textContent = text;
    },
    announce(text) {
      ui.announce.textContent = text;
    },
    /** Shows `model.run`, just made (or none), and follows its changes. */
    showRun() {
      unsubscribe();
      unsubscribe = () => {};
      const { run } = model;
      results = { filter: run?.state === 'refused' ? 'invalid' : 'all', shown: PAGE_ROWS, dirty: true, lang: '' };
      lastTable = 0;
      if (!run) return;
      unsubscribe = run.subscribe((event) => (event.type === 'row' ? rowChanged(event.index) : stateChanged()));
      // A run that sent nothing ended as it was made.
      if (!run.sent()) stateChanged();
    },
    /** The run goes on again (Retry): its table is rebuilt at once. */
    resumedRun() {
      results.dirty = true;
      lastTable = 0;
    },
    /** Texts in the new language. */
    languageChanged() {
      lastTable = 0;
      if (model.run) showState();
    },
  };
}
