// The Bulk tab's elements. Static text comes from data-i18n (translated by i18n.js), the rest
// from bulk-view.js.

import { STATUSES } from './bulk-run.js';
import { MAX_CONCURRENCY } from './bulk-send.js';
import { h } from './dom.js';

/** The tab's elements, by name; `ui.element` holds them all. */
export function buildUi() {
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
  ui.concurrencyAuto = h('input', { type: 'radio', id: 'bulk-concurrency-auto', name: 'bulk-concurrency-mode', value: 'auto', checked: true });
  ui.concurrencyFixed = h('input', { type: 'radio', id: 'bulk-concurrency-fixed', name: 'bulk-concurrency-mode', value: 'fixed' });
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
  ui.limit = h('p', { id: 'bulk-limit', class: 'muted small' });
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
  ui.journalNote = h('p', { class: 'hint', id: 'bulk-journal-note', role: 'status' });
  ui.journalRuns = h('ul', { class: 'journal-runs', id: 'bulk-journal-runs' });
  ui.journalFinished = h('p', { class: 'muted small', id: 'bulk-journal-finished' });
  ui.discardFinished = h('button', { type: 'button', class: 'button subtle small', id: 'bulk-discard-finished', dataset: i18n('journal.discard_finished') });
  ui.journalError = h('p', { class: 'form-status', id: 'bulk-journal-error', role: 'alert' });
  // Opened by a run's Resume button: the file the run is resumed from.
  ui.resumeFile = h('input', { type: 'file', id: 'bulk-resume-file', accept: ui.file.accept, hidden: true, dataset: { i18nAttr: 'aria-label:journal.resume.file' } });
  ui.journal = h('section', { class: 'bulk-section bulk-journal', id: 'bulk-journal', 'aria-labelledby': 'bulk-journal-heading', hidden: true },
    h('h4', { id: 'bulk-journal-heading', dataset: i18n('journal.heading') }),
    h('p', { class: 'muted small', dataset: i18n('journal.intro') }),
    ui.journalRuns,
    h('div', { class: 'actions' }, ui.journalFinished, ui.discardFinished),
    ui.journalError, ui.resumeFile);
  ui.runSection = h('section', { class: 'bulk-section bulk-run', id: 'bulk-run', 'aria-labelledby': 'bulk-run-heading', hidden: true },
    h('h4', { id: 'bulk-run-heading', dataset: i18n('bulk.progress') }),
    ui.progress, ui.state, ui.eta, ui.limit, counts,
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
    ui.journalNote,
    ui.journal,
    h('fieldset', { class: 'field choice', 'aria-describedby': 'bulk-format' },
      h('legend', { dataset: i18n('bulk.kind') }),
      h('div', { class: 'segmented' },
        ui.kindClickhouse, h('label', { for: 'bulk-kind-clickhouse', dataset: i18n('tab.clickhouse') }),
        ui.kindEhpc, h('label', { for: 'bulk-kind-ehpc', dataset: i18n('tab.ehpc') })),
      ui.format),
    h('div', { class: 'grid-2' },
      field('bulk-cluster', 'bulk.cluster', ui.cluster, 'bulk.cluster.hint'),
      h('fieldset', { class: 'field choice', 'aria-describedby': 'bulk-concurrency-hint' },
        h('legend', { dataset: i18n('bulk.concurrency') }),
        h('div', { class: 'segmented' },
          ui.concurrencyAuto, h('label', { for: 'bulk-concurrency-auto', dataset: i18n('bulk.concurrency.auto') }),
          ui.concurrencyFixed, h('label', { for: 'bulk-concurrency-fixed', dataset: i18n('bulk.concurrency.fixed') })),
        h('label', { for: 'bulk-concurrency', class: 'visually-hidden', dataset: i18n('bulk.concurrency.number') }),
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
