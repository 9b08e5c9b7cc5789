// The Bulk tab's journals: the runs kept in IndexedDB (journal-store.js), the record of the run
// going on (journal.js writes it as the run goes), expiry, and Discard. Resume is handed to the
// tab with the record to resume. Where IndexedDB cannot be used, the tab works and says that runs
// will not survive a reload. A page holds a Web Lock named after the run it holds, so that a run
// going on in another tab of the browser is not resumed here as well.

import { t } from './i18n.js';
import { expired, fromStore, newRecord, recordRun, unfinished } from './journal.js';
import { openStore } from './journal-store.js';
import { renderJournal } from './journal-view.js';

/**
 * Wires the panel of kept runs in `ui` (bulk-ui.js). `onResume(record)` resumes a kept run;
 * `busy()` says whether a run goes on in the tab.
 */
export function setupJournal(ui, { onResume, busy }) {
  const state = { available: null, writeFailed: false, records: [], current: null };
  let recorder = null;
  let locked = null;
  let releaseLock = () => {};
  let store = null;
  const opened = openStore().then((opening) => {
    store = opening;
    state.available = store !== null;
    return store;
  });

  /**
   * Holds the lock of run `id` (and lets go of any other) while this page holds the run; resolves
   * to false when another tab holds it. Without Web Locks, true.
   */
  function claim(id) {
    if (locked === id || !navigator.locks) return Promise.resolve(true);
    return new Promise((resolve) => {
      navigator.locks.request(`qingcloud-useradd.run.${id}`, { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        if (!lock) return undefined;
        releaseLock();
        locked = id;
        return new Promise((release) => { releaseLock = release; });
      }).catch(() => resolve(true));
    });
  }

  /** Writes `record` as `run` goes. */
  function follow(run, record) {
    if (!store) return;
    claim(record.id);
    state.current = record.id;
    state.records = [...state.records.filter((r) => r.id !== record.id), record];
    recorder = recordRun(run, record, {
      save: (head, blocks) => store.put(head, blocks),
      onError: () => {
        state.writeFailed = true;
        render();
      },
    });
    render();
  }

  const render = () => renderJournal(ui, { ...state, busy: busy() });
  const byId = (id) => state.records.find((record) => record.id === id);

  /** Reads the kept runs, forgetting finished runs past their time. */
  async function load() {
    if (!await opened) return render();
    try {
      const records = (await store.all()).map(({ head, blocks }) => fromStore(head, blocks));
      const now = Date.now();
      const old = records.filter((record) => expired(record, now)).map((record) => record.id);
      if (old.length) await store.delete(old);
      // The run going on in this page is the one in memory, newer than the store's.
      state.records = [...records.filter((record) => !old.includes(record.id) && record.id !== state.current),
        ...state.records.filter((record) => record.id === state.current)];
    } catch {
      state.available = false;
    }
    render();
  }

  async function discard(ids) {
    if (!await opened) return;
    if (ids.includes(state.current)) {
      recorder?.stop({ discarded: true });
      recorder = null;
      state.current = null;
    }
    try {
      await store.delete(ids);
    } catch {
      state.available = false;
    }
    state.records = state.records.filter((record) => !ids.includes(record.id));
    render();
    ui.announce.textContent = t('journal.discarded');
  }

  ui.journalRuns.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button || busy()) return;
    const record = byId(button.dataset.run);
    if (!record) return;
    ui.journalError.textContent = '';
    if (!await claim(record.id)) ui.journalError.textContent = t('journal.elsewhere');
    else if (button.dataset.action === 'discard') discard([record.id]);
    else onResume(record);
  });
  ui.discardFinished.addEventListener('click', () => {
    discard(state.records.filter((record) => !unfinished(record)).map((record) => record.id));
  });
  // Whatever is not written yet goes now: the tab may be closing.
  addEventListener('pagehide', () => recorder?.flush());

  load();

  return {
    render,
    /** Shows `text` as the panel's error. */
    error(text) {
      ui.journalError.textContent = text;
    },
    /**
     * Keeps the journal of `run`, about to be launched: `existing` is the record it resumes (its
     * run is followed from the first event), else a record is made from `meta` (`{ source,
     * settings, options }`, see journal.js newRecord; `source.fingerprint` may be a promise) once
     * its fingerprint is known, from the run's rows of that moment.
     */
    track(run, { existing, meta }) {
      recorder?.stop();
      recorder = null;
      if (existing) {
        follow(run, existing);
        return;
      }
      Promise.all([opened, meta.source.fingerprint]).then(([ready, print]) => {
        if (!ready) return;
        // Without a fingerprint (no crypto.subtle), the run could not be resumed.
        if (!print) throw new Error('no fingerprint');
        const source = { ...meta.source, fingerprint: print };
        follow(run, newRecord({ ...meta, id: crypto.randomUUID(), run, source, now: Date.now() }));
      }).catch(() => {
        state.available = false;
        render();
      });
    },
  };
}
