// The Bulk tab: many ClickHouse or EHPC users from a CSV file or pasted rows. This module wires
// its parts together and handles the events that change the rows or the run: reading the file is
// csv.js, the rows and their checks bulk-rows.js, a run bulk-run.js, how rows reach the package
// bulk-send.js, the elements bulk-ui.js and their rendering bulk-view.js, the journal of runs
// (kept in IndexedDB, offered for resuming after a reload) bulk-journal.js.

import {
  addClickHouseUsers, addEhpcUsers, isQingCloudError, validateClickHouseUser, validateEhpcUser,
} from './pkg/qingcloud_useradd.js';
import { createSheet } from './bulk-rows.js';
import { controls, createRun, resultLines } from './bulk-run.js';
import { chosenConcurrency, rowSender, sendOptions, zoneProblems } from './bulk-send.js';
import { buildUi } from './bulk-ui.js';
import { setupJournal } from './bulk-journal.js';
import { createView } from './bulk-view.js';
import { MAX_FILE_BYTES, readFileText, toCsv } from './csv.js';
import { h } from './dom.js';
import { getLang, onLangChange, t, translate } from './i18n.js';
import { fileFingerprint, fingerprint, sameRows, settingsDiffer } from './journal.js';

const api = { addClickHouseUsers, addEhpcUsers, isQingCloudError, validateClickHouseUser, validateEhpcUser };

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

function onBeforeUnload(event) {
  event.preventDefault();
  event.returnValue = '';
}

/**
 * Wires the Bulk tab into `root` (an empty element in its panel). `settings` is the page's
 * connection settings (settings.js).
 */
export function setupBulk(root, settings) {
  const ui = buildUi();
  root.append(ui.element);
  translate(root);
  const model = { sheet: createSheet({ api, breathe }), run: null };
  const view = createView(ui, model);
  const journal = setupJournal(ui, { onResume: (record) => resume(record), busy: () => active() });
  let loadTimer = 0;
  const active = () => Boolean(model.run?.active());

  // ---- The rows ----------------------------------------------------------------------------------

  /** Checks the rows of the current source again; resolves to false when a newer check superseded it. */
  async function load() {
    clearTimeout(loadTimer);
    view.resetPreview();
    const context = { lang: getLang(), zone: settings.read().zone, defaultCluster: ui.cluster.value.trim() };
    const checked = model.sheet.check(context, () => view.schedule('input'));
    view.render();
    if (await checked) view.render();
    return checked;
  }

  /** From now until the new rows are checked, the preview is not the input's: say so at once. */
  function markChecking() {
    model.sheet.invalidate();
    view.checking();
  }

  function reload({ changed = true, soon = false } = {}) {
    if (changed) model.sheet.version += 1;
    clearTimeout(loadTimer);
    markChecking();
    if (soon) {
      loadTimer = setTimeout(load, 250);
      view.schedule('input');
      return Promise.resolve(false);
    }
    return load();
  }

  /** Reads and checks `file` (whose fingerprint may be known); resolves to whether its rows are checked. */
  async function loadFile(file, known) {
    if (!file || active()) return false;
    markChecking();
    view.render();
    const [read, print] = await Promise.all([readFileText(file), known ?? fileFingerprint(file)]);
    const { sheet } = model;
    if (read.problem) {
      sheet.source = null;
      reload();
      view.fileMessage(read.problem === 'too_big' ? t('bulk.file.too_big', { size: MAX_FILE_BYTES / 1024 / 1024 }) : t('bulk.file.read_failed'));
      return false;
    }
    sheet.source = { type: 'file', name: file.name, text: read.text, fingerprint: print };
    ui.text.value = '';
    view.fileMessage('');
    return reload();
  }

  // ---- The run -----------------------------------------------------------------------------------

  /** The settings' problems for a run, as one message, or ''. */
  function settingsProblems() {
    const problems = [...Object.values(settings.problems({ forSubmit: true })), ...zoneProblems(api, settings.read().zone, getLang())].join(' ');
    return problems && t('bulk.start.settings', { problems });
  }

  /**
   * What sends `rows` of `kind`, or null (and why, shown with `say`) when the settings or
   * concurrency are unusable. A resumed run has `earlier`, the journal's entries of its rows.
   */
  function sender(rows, kind, { earlier = null, say = view.error } = {}) {
    const problems = settingsProblems();
    if (problems) {
      say(problems);
      return null;
    }
    const concurrency = chosenConcurrency({ auto: ui.concurrencyAuto.checked, text: ui.concurrency.value });
    if (concurrency === null) {
      say(t('bulk.concurrency.invalid'));
      ui.concurrency.focus();
      return null;
    }
    const s = settings.read();
    const credentials = { accessKeyId: s.accessKeyId, secretAccessKey: settings.secret() };
    const options = sendOptions(kind, s, settings, { lang: getLang(), concurrency, skip: ui.skip.checked });
    return rowSender({ api, kind, rows, credentials, options, earlier });
  }

  /** Starts sending with `go()` (launch or retry): the run shows at once, and the keyboard moves to Pause. */
  function sending(go) {
    go();
    view.render();
    ui.pause.focus();
  }

  /** Starts a run of the rows, or resumes the journal's run `resumed` (its rows are these). */
  function start(resumed = null) {
    if (active()) return;
    const say = resumed ? journal.error : view.error;
    view.error('');
    journal.error('');
    const { sheet } = model;
    if (sheet.checking) return;
    if (!sheet.rows.length || sheet.problem) {
      say(t('bulk.start.no_rows'));
      return;
    }
    const differ = resumed ? settingsDiffer(resumed, settings.read()) : [];
    if (differ.length) {
      const names = { endpoint: 'settings.endpoint', zone: 'settings.zone', accessKeyId: 'settings.access_key_id' };
      say(t('journal.settings.different', {
        settings: differ.map((key) => t(names[key])).join(', '), endpoint: resumed.endpoint, zone: resumed.zone, key: resumed.accessKeyId,
      }));
      return;
    }
    // A copy: the journal's entries change as the run goes, and each call needs them as they were.
    const earlier = resumed?.rows.slice();
    const rowsSender = sender(sheet.rows, sheet.kind, { earlier, say });
    if (!rowsSender) return;
    const run = createRun(sheet, { skip: ui.skip.checked, earlier });
    model.run = run;
    run.subscribe((event) => {
      if (event.type !== 'state') return;
      if (run.active()) addEventListener('beforeunload', onBeforeUnload);
      else removeEventListener('beforeunload', onBeforeUnload);
      journal.render();
    });
    view.showRun();
    if (run.state !== 'ready') return;
    const { source } = sheet;
    journal.track(run, resumed ? { existing: resumed } : {
      meta: {
        source: source.type === 'file'
          ? { name: source.name, fingerprint: source.fingerprint }
          : { name: '', fingerprint: fingerprint(new TextEncoder().encode(source.text)) },
        settings: settings.read(),
        options: { defaultCluster: ui.cluster.value.trim(), skip: ui.skip.checked },
      },
    });
    sending(() => run.launch(rowsSender));
  }

  // ---- Resuming a run kept in the journal ---------------------------------------------------------

  /** The journal's run being resumed, while its file is chosen. */
  let resuming = null;

  /** Resume of a kept run: its settings are used, the secret asked for, then its file. */
  function resume(record) {
    if (active()) return;
    settings.use(record);
    if (!settings.secret()) {
      journal.error(t('journal.secret'));
      settings.inputs.secretAccessKey.focus();
      return;
    }
    const problems = settingsProblems();
    if (problems) {
      journal.error(problems);
      return;
    }
    resuming = record;
    ui.resumeFile.value = '';
    ui.resumeFile.click();
  }

  /** The file chosen to resume `record`: the same bytes, the same rows, then the run goes on. */
  async function resumeFrom(record, file) {
    const print = await fileFingerprint(file);
    if (print !== record.fingerprint) {
      journal.error(t('journal.file.different', { name: file.name }));
      return;
    }
    // The tab as the run had it: the same rows come out of the same file.
    model.sheet.kind = record.kind;
    ui.kindClickhouse.checked = record.kind === 'clickhouse';
    ui.kindEhpc.checked = record.kind === 'ehpc';
    ui.cluster.value = record.defaultCluster;
    ui.skip.checked = record.skip;
    ui.file.value = '';
    if (!await loadFile(file, print)) return;
    if (!sameRows(record, model.sheet.rows)) {
      journal.error(t('journal.rows.different', { name: file.name }));
      return;
    }
    start(record);
  }

  /** Sends the failed and unsent rows of the ended run again. */
  function retry() {
    const { run } = model;
    if (!controls(model.sheet, run).retry) return;
    view.error('');
    const rowsSender = sender(run.rows, run.kind);
    if (!rowsSender) return;
    view.resumedRun();
    sending(() => run.retry(rowsSender));
  }

  /** The results file: a byte order mark, so that spreadsheets read UTF-8 (Chinese messages) as such. */
  function download() {
    const { run } = model;
    if (!run || run.active()) return;
    const blob = new Blob(['\ufeff', toCsv(resultLines(run), { safe: true })], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    const link = h('a', { href: url, download: `qingcloud-${run.kind}-users-${stamp}.csv`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    view.announce(t('bulk.download.done'));
  }

  // ---- Events ------------------------------------------------------------------------------------

  for (const radio of [ui.kindClickhouse, ui.kindEhpc]) {
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      model.sheet.kind = radio.value;
      reload();
    });
  }
  ui.cluster.addEventListener('input', () => reload({ soon: true }));
  ui.file.addEventListener('change', () => loadFile(ui.file.files?.[0]));
  ui.text.addEventListener('input', () => {
    ui.file.value = '';
    model.sheet.source = ui.text.value ? { type: 'text', name: '', text: ui.text.value } : null;
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
  ui.start.addEventListener('click', () => start());
  ui.resumeFile.addEventListener('change', () => {
    const file = ui.resumeFile.files?.[0];
    if (file && resuming && !active()) resumeFrom(resuming, file);
  });
  ui.pause.addEventListener('click', () => model.run?.pause());
  ui.cancel.addEventListener('click', () => model.run?.cancel());
  ui.download.addEventListener('click', download);
  ui.retry.addEventListener('click', retry);
  ui.clear.addEventListener('click', () => {
    if (active()) return;
    ui.file.value = '';
    ui.text.value = '';
    view.error('');
    model.sheet.source = null;
    model.run = null;
    view.showRun();
    reload();
  });

  onLangChange(() => {
    view.languageChanged();
    journal.render();
    // Messages come from the package in the page's language: check again (the rows stay the same).
    if (model.sheet.source) reload({ changed: false });
    else view.render();
  });

  view.render();
  return {
    /** Whether a run is going on. */
    active,
  };
}
