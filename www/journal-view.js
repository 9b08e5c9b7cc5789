// The Bulk tab's panel of kept runs (bulk-journal.js holds them): each unfinished run with Resume
// and Discard, how many finished runs are kept, and the note when runs cannot be kept. Values from
// the journal are shown as text.

import { KINDS } from './bulk-rows.js';
import { h, replace } from './dom.js';
import { getLang, t } from './i18n.js';
import { KEEP_FINISHED_MS, progress, unfinished } from './journal.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Renders `state` into `ui` (bulk-ui.js): `{ available, writeFailed, records, current, busy }`,
 * where `current` is the id of the run this page holds (not offered) and `busy` says a run goes on.
 */
export function renderJournal(ui, { available, writeFailed, records, current, busy }) {
  ui.journalNote.textContent = available === false ? t('journal.unavailable') : writeFailed ? t('journal.write_failed') : '';
  const others = records.filter((record) => record.id !== current);
  const open = others.filter(unfinished);
  const finished = records.filter((record) => !unfinished(record));
  const locale = getLang() === 'zh' ? 'zh-CN' : 'en-US';
  replace(ui.journalRuns, open.map((record) => {
    const { done, total } = progress(record);
    return h('li', { class: 'journal-run', dataset: { run: record.id } },
      h('p', {}, t('journal.run', {
        kind: t(KINDS[record.kind].label), file: record.fileName || t('journal.pasted'),
        time: new Date(record.createdAt).toLocaleString(locale), done: done.toLocaleString(locale),
        total: total.toLocaleString(locale), endpoint: record.endpoint, zone: record.zone, key: record.accessKeyId,
      })),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button primary small', dataset: { action: 'resume', run: record.id }, disabled: busy }, t('journal.resume')),
        h('button', { type: 'button', class: 'button subtle small', dataset: { action: 'discard', run: record.id }, disabled: busy }, t('journal.discard'))));
  }));
  ui.journalFinished.textContent = finished.length ? t('journal.finished', { count: finished.length, days: KEEP_FINISHED_MS / DAY_MS }) : '';
  ui.discardFinished.hidden = finished.length === 0;
  ui.journal.hidden = open.length === 0 && finished.length === 0;
}
