// The journal of a Bulk run: what a reloaded page needs to resume it (bulk-journal.js keeps it in
// IndexedDB through journal-store.js). A record holds the run's id, kind of user, the SHA-256 of
// its file, the endpoint, zone and access key id, and per row its index, cluster, user name, status
// and job id: never a password or the secret. No DOM, no IndexedDB: Node tests use it.
//
// Writes are coalesced: a row's change waits up to FLUSH_MS; a row just sent, or its job id just
// accepted, PROMPT_FLUSH_MS: following that job rather than sending the row again is what resuming
// gains, and a row known to have been sent ends "already existed" with a note saying why. An entry
// is the run's status of the moment it was written, so it may lag behind the row but never runs
// ahead of it.

import { visible } from './bulk-rows.js';
import { FINAL, KEPT } from './bulk-run.js';
import { MAX_FILE_BYTES } from './csv.js';

/** Finished runs are cleared this long after their last change. */
export const KEEP_FINISHED_MS = 7 * 24 * 60 * 60 * 1000;
/** The longest a row's change waits to be written. */
export const FLUSH_MS = 500;
/** The longest a row just sent, or its job id just accepted, waits to be written. */
export const PROMPT_FLUSH_MS = 50;
/** Entries are written in blocks of this many rows: a change rewrites its block, not the run. */
export const BLOCK_ROWS = 100;
/** The settings a run is bound to: its jobs and users are those of this endpoint, zone and key. */
export const BOUND_SETTINGS = ['endpoint', 'zone', 'accessKeyId'];

/** The SHA-256 of `bytes` (an ArrayBuffer or a view), as lowercase hex. */
export async function fingerprint(bytes, subtle = globalThis.crypto.subtle) {
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The SHA-256 of `file`'s bytes (a File or Blob), or null when it is too big, unreadable or cannot be hashed. */
export async function fileFingerprint(file, subtle) {
  if (file.size > MAX_FILE_BYTES) return null;
  try {
    return await fingerprint(await file.arrayBuffer(), subtle);
  } catch {
    return null;
  }
}

/** Row `i` of `run` as a journal entry: no field of a row that could not be read (it may hold part of a password). */
export function rowEntry(run, i) {
  const row = run.rows[i];
  const entry = { index: i, cluster: visible(row, row.cluster), userName: visible(row, row.name), status: run.status[i] };
  const jobId = run.info[i]?.jobId;
  if (jobId) entry.jobId = jobId;
  return entry;
}

/**
 * A new record of `run`: `source` is `{ name, fingerprint }`, `settings` the connection settings
 * (settings.js read()), `options` the tab's `{ defaultCluster, skip }`.
 */
export function newRecord({ id, run, source, settings, options, now }) {
  return {
    id,
    kind: run.kind,
    fileName: source.name,
    fingerprint: source.fingerprint,
    ...Object.fromEntries(BOUND_SETTINGS.map((key) => [key, settings[key]])),
    defaultCluster: options.defaultCluster,
    skip: options.skip,
    createdAt: now,
    updatedAt: now,
    rows: run.rows.map((_, i) => rowEntry(run, i)),
  };
}

/** The record without its rows, as the store keeps it. */
export function header(record) {
  const { rows, ...rest } = record;
  return rest;
}

/** Whether a row of `record` has not ended: the run was cut off (the page closed, say). */
export function unfinished(record) {
  return record.rows.some((entry) => !FINAL.includes(entry.status));
}

/** Whether `record` is a finished run past its time, at `now`. */
export function expired(record, now) {
  return !unfinished(record) && now - record.updatedAt > KEEP_FINISHED_MS;
}

/** How far `record` got: `{ total, done }`, done counting the rows a resume keeps. */
export function progress(record) {
  return { total: record.rows.length, done: record.rows.filter((entry) => KEPT.includes(entry.status)).length };
}

/**
 * The package's `previous` for one call over the run rows `indexes`, from the record's entries
 * (`nameKey` is the package's user name field): one entry per row of the call, in its order.
 */
export function chunkPrevious(entries, indexes, nameKey) {
  return indexes.map((i, k) => {
    const { status, jobId, cluster, userName } = entries[i];
    return { index: k, status, ...(jobId ? { jobId } : {}), cluster, [nameKey]: userName };
  });
}

/** The settings of `s` (settings.js read()) that differ from the run's, by name. */
export function settingsDiffer(record, s) {
  return BOUND_SETTINGS.filter((key) => record[key] !== s[key]);
}

/**
 * Whether the checked rows `rows` are the record's: as many, each with the same cluster and user
 * name (a changed default cluster changes them).
 */
export function sameRows(record, rows) {
  return rows.length === record.rows.length
    && rows.every((row, i) => visible(row, row.cluster) === record.rows[i].cluster && visible(row, row.name) === record.rows[i].userName);
}

/** The blocks `numbers` of `record`'s entries, as the store keeps them. */
export function blocks(record, numbers) {
  return numbers.map((block) => ({ block, entries: record.rows.slice(block * BLOCK_ROWS, (block + 1) * BLOCK_ROWS) }));
}

/** A record from the store's header and blocks (in any order). */
export function fromStore(head, stored) {
  const sorted = [...stored].sort((a, b) => a.block - b.block);
  return { ...head, rows: sorted.flatMap((b) => b.entries) };
}

/**
 * Keeps `record` up to date with `run`'s rows, writing with `save(header, blocks)` (the record's
 * header and the blocks of entries that changed; a promise), one write at a time. `timers` is
 * `{ setTimeout, clearTimeout }`, `now()` the time in milliseconds. `onError(error)` hears a
 * failed write; the blocks it held are written with the next one.
 */
export function recordRun(run, record, { save, onError, now = Date.now, timers = globalThis }) {
  const changed = new Set(Array.from({ length: Math.ceil(record.rows.length / BLOCK_ROWS) }, (_, b) => b));
  let timer = 0;
  let due = Infinity;
  let writing = null;
  let again = false;

  function schedule(delay) {
    const at = now() + delay;
    if (timer && at >= due) return;
    timers.clearTimeout(timer);
    due = at;
    timer = timers.setTimeout(flush, delay);
  }

  function flush() {
    timers.clearTimeout(timer);
    timer = 0;
    due = Infinity;
    if (writing) {
      again = true;
      return writing;
    }
    if (!changed.size) return Promise.resolve();
    const numbers = [...changed];
    changed.clear();
    record.updatedAt = now();
    writing = Promise.resolve()
      .then(() => save(header(record), blocks(record, numbers)))
      .catch((error) => {
        for (const b of numbers) changed.add(b);
        onError(error);
      })
      .finally(() => {
        writing = null;
        if (again) {
          again = false;
          schedule(0);
        }
      });
    return writing;
  }

  const unsubscribe = run.subscribe((event) => {
    if (event.type === 'state') {
      // The end of a run is written at once.
      if (!run.active()) schedule(0);
      return;
    }
    const entry = rowEntry(run, event.index);
    const old = record.rows[event.index];
    if (old.status === entry.status && old.jobId === entry.jobId) return;
    record.rows[event.index] = entry;
    changed.add(Math.floor(event.index / BLOCK_ROWS));
    const prompt = entry.status === 'sending' || (entry.jobId && entry.jobId !== old.jobId);
    schedule(prompt ? PROMPT_FLUSH_MS : FLUSH_MS);
  });
  schedule(0);

  return {
    /** Writes what changed now (the page is being hidden, say). */
    flush,
    /** Stops following the run; what changed is written, unless the run is being `discarded`. */
    stop({ discarded = false } = {}) {
      unsubscribe();
      if (!discarded) return flush();
      timers.clearTimeout(timer);
      timer = 0;
      changed.clear();
      return Promise.resolve();
    },
  };
}
