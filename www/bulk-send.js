// How a run's rows reach the package: the rows of a chunk as package inputs, one call of
// addClickHouseUsers / addEhpcUsers, and what comes back (progress, results, a rejection) without
// any of the rows' passwords: a server may quote what it was sent. No DOM.

import { KINDS, rowInput, withoutPassword } from './bulk-rows.js';
import { describeError } from './errors.js';
import { chunkPrevious } from './journal.js';

export const MAX_CONCURRENCY = 16;

/** The number of requests at once in `text`, or null unless it is a whole number from 1 to 16. */
export function readConcurrency(text) {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= MAX_CONCURRENCY ? n : null;
}

/**
 * The concurrency chosen: `'auto'` (the package adapts it, up to MAX_CONCURRENCY), else the fixed
 * number in `text`, or null when that is not one.
 */
export function chosenConcurrency({ auto, text }) {
  return auto ? 'auto' : readConcurrency(text);
}

/**
 * Problems of the zone setting (the package's rule), as messages: the rows' checks leave the zone
 * out, and it is checked once when a run starts.
 */
export function zoneProblems(api, zone, lang) {
  const probe = { cluster: 'cl-00000000', zone, userName: 'u', userPassword: 'a-long-password', userNetworks: '::1' };
  return api.validateClickHouseUser(probe, { lang }).errors.filter((e) => e.field === 'zone').map((e) => e.message);
}

/**
 * The package's options for a run of `kind`: `s` is the connection settings (settings.js read()),
 * `settings` the settings module, `concurrency` a number or `'auto'` (chosenConcurrency).
 */
export function sendOptions(kind, s, settings, { lang, concurrency, skip }) {
  return {
    endpoint: KINDS[kind].endpoint(s, settings),
    jobsEndpoint: s.endpoint,
    zone: s.zone,
    method: s.method,
    lang,
    concurrency,
    ...(concurrency === 'auto' ? { maxConcurrency: MAX_CONCURRENCY } : {}),
    onInvalid: skip ? 'skip' : 'stop',
  };
}

/** `row` (a progress event's row or a result) with `password` masked in its messages. */
function masked(row, password) {
  if (!row.error && !row.note) return row;
  return {
    ...row,
    error: row.error && { ...row.error, message: withoutPassword(row.error.message, password) },
    note: withoutPassword(row.note, password),
  };
}

/**
 * The `send(indexes, { signal, onProgress })` of a run (bulk-run.js) over `rows` of kind `kind`
 * (a KINDS key): `options` are the package's options, `credentials` its credentials. A resumed
 * run has `earlier`, the journal's entries of every row (journal.js), which each call gets as
 * `previous` for its rows.
 */
export function rowSender({ api, kind, rows, credentials, options, earlier = null }) {
  const def = KINDS[kind];
  return async (indexes, { signal, onProgress }) => {
    const passwords = indexes.map((i) => rows[i].fields[def.password]);
    const inputs = indexes.map((i) => rowInput(def, rows[i], options.zone));
    try {
      const result = await def.send(api, inputs, credentials, {
        ...options,
        ...(earlier ? { previous: chunkPrevious(earlier, indexes, def.inputName) } : {}),
        signal,
        onProgress: (event) => {
          const row = masked(event.row, passwords[event.row.index]);
          onProgress(row === event.row ? event : { ...event, row });
        },
      });
      return { ...result, results: result.results.map((row) => masked(row, passwords[row.index])) };
    } catch (error) {
      const described = describeError(error, api.isQingCloudError);
      described.message = passwords.reduce((message, password) => withoutPassword(message, password), described.message);
      throw described;
    }
  };
}
