// One run of the Bulk tab: every row's status and details, the counts, and the sending. Rows go out
// in chunks through `send` (bulk-send.js): the API has no pause, so pausing stops the chunk being
// sent (its in-flight rows finish; its unsent rows go back to the queue) and waits before the next
// one. The results of every chunk are merged in input order. No DOM: Node tests drive it.
//
// Listeners hear `{ type: 'row', index }` when a row's status or details change, and
// `{ type: 'state' }` when the run's state does; a row's status and job id are in `status` and
// `info`, which is what a journal of the run needs.

import { KINDS, visible } from './bulk-rows.js';
import { describeError } from './errors.js';
import { t } from './i18n.js';

/** Rows per call of the bulk API. */
const CHUNK_ROWS = 200;
/** Row failures that every later row would meet too (authentication failed, key expired). */
const STOP_RET_CODES = new Set([1200, 1300]);
export const STATUSES = ['queued', 'sending', 'sent', 'created', 'exists', 'invalid', 'failed', 'not_sent'];
export const FINAL = ['created', 'exists', 'invalid', 'failed', 'not_sent'];
const IN_FLIGHT = ['queued', 'sending', 'sent'];
/** Outcomes a resumed run keeps: these rows are not sent again. */
export const KEPT = ['created', 'exists'];
const ACTIVE_STATES = ['running', 'pausing', 'paused', 'cancelling'];
/** States of a run that sent nothing, so did not use its rows up. */
const UNSENT_STATES = ['refused', 'nothing'];

/**
 * A run over the checked rows `rows` of `sheet`. Its state is 'ready' (launch() sends), or already
 * 'refused' (invalid rows and not `skip`: nothing is sent, the invalid rows are shown) or 'nothing'
 * (no valid row). A resumed run has `earlier`, one `{ status, jobId }` per row from the run it
 * resumes: a valid row that ended created or exists keeps that outcome and is not sent; a job id
 * stays with its row, for the package to follow.
 */
export function createRun(sheet, { skip, earlier = [] }) {
  const { rows } = sheet;
  const listeners = new Set();
  const run = {
    kind: sheet.kind,
    version: sheet.version,
    rows,
    total: rows.length,
    status: new Array(rows.length),
    /** Per row: `{ jobId, retCode, error, note }`, or undefined. */
    info: new Array(rows.length),
    counts: Object.fromEntries(STATUSES.map((s) => [s, 0])),
    /** Rows whose outcome the resumed run kept. */
    keptCount: 0,
    /** The package's limit of requests in flight, as its latest progress event said ('auto' moves it). */
    concurrency: null,
    state: 'ready',
    paused: false,
    cancelled: false,
    /** Why a run ended early ('cancelled', 'stopped', 'error'), and the message that goes with it. */
    reason: undefined,
    reasonMessage: undefined,
    startedAt: 0,
    pausedAt: 0,
    pausedMs: 0,
    finishedAt: null,
    /** Row indexes waiting to be sent, in order. */
    pending: [],
    /** The chunk being sent, and every chunk not yet ended. */
    current: null,
    calls: new Set(),
    resume: null,

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    active: () => ACTIVE_STATES.includes(run.state),
    /** Whether any row waits to be sent, or is being sent. */
    sending: () => run.pending.length > 0 || run.current !== null,
    /** Whether the run went out: a run that sent nothing leaves its rows to start again. */
    sent: () => !UNSENT_STATES.includes(run.state),
    launch,
    pause,
    cancel: () => stop('cancelled'),
    retryable,
    retry,
    timing,
  };
  const emit = (event) => {
    for (const listener of listeners) listener(event);
  };

  for (const row of rows) {
    const before = earlier[row.index];
    if (row.valid && KEPT.includes(before?.status)) {
      run.status[row.index] = before.status;
      run.info[row.index] = { jobId: before.jobId, note: t('bulk.note.kept') };
      run.keptCount += 1;
    } else if (row.valid) {
      run.status[row.index] = 'queued';
      if (before?.jobId && IN_FLIGHT.includes(before.status)) run.info[row.index] = { jobId: before.jobId };
      run.pending.push(row.index);
    } else {
      run.status[row.index] = 'invalid';
      run.info[row.index] = { error: { code: 'invalid_input', message: row.errors.map((e) => e.message).join(' '), errors: row.errors } };
    }
    run.counts[run.status[row.index]] += 1;
  }
  if (run.counts.invalid && !skip) {
    for (const i of run.pending) setStatus(i, 'not_sent', { note: t('bulk.note.stopped') });
    run.pending = [];
    run.state = 'refused';
  } else if (!run.pending.length) {
    run.state = 'nothing';
  }

  function setState(state) {
    run.state = state;
    emit({ type: 'state' });
  }

  /** Sets row `i`'s status; `info` replaces its details, `null` clears them, omitted keeps them. */
  function setStatus(i, status, info) {
    const old = run.status[i];
    if (old !== status) {
      run.counts[old] -= 1;
      run.counts[status] += 1;
      run.status[i] = status;
    }
    if (info !== undefined) run.info[i] = info ?? undefined;
    emit({ type: 'row', index: i });
  }

  /** A progress event's row or a result, for row `i` of the run. */
  function apply(i, row) {
    if (IN_FLIGHT.includes(row.status)) {
      setStatus(i, row.status, row.jobId ? { jobId: row.jobId } : undefined);
      return;
    }
    const retCode = row.retCode ?? row.error?.retCode;
    setStatus(i, row.status, { jobId: row.jobId, retCode, error: row.error, note: row.note });
    if (row.status === 'failed' && STOP_RET_CODES.has(retCode) && !run.cancelled) {
      stop('stopped', row.error?.message ?? '');
    }
  }

  /**
   * Sends the pending rows with `send(indexes, { signal, onProgress })`, which resolves to the
   * package's `{ results }` for those rows, or rejects with `{ code, message, retCode }`.
   */
  function launch(send) {
    run.startedAt = performance.now();
    setState('running');
    execute(send).catch((error) => {
      // Not expected: the package reports per row. Say so rather than hang in "running".
      if (!run.active()) return;
      const described = describeError(error);
      for (let i = 0; i < run.total; i += 1) {
        if (!FINAL.includes(run.status[i])) setStatus(i, 'failed', { error: described });
      }
      finish('error', described.message);
    });
  }

  async function execute(send) {
    while (run.pending.length && !run.cancelled) {
      if (run.paused) {
        setState('paused');
        await new Promise((resolve) => { run.resume = resolve; });
        run.resume = null;
        continue;
      }
      const call = sendChunk(send, run.pending.splice(0, CHUNK_ROWS));
      run.current = call;
      // The next chunk starts once this one has nothing left to send; its jobs are still followed.
      await call.drained;
      run.current = null;
      if (call.requeue.length && !run.cancelled) run.pending.unshift(...call.requeue.sort((a, b) => a - b));
    }
    await Promise.all([...run.calls].map((call) => call.done));
    // Rows that never went out (cancelled while queued) are not sent.
    const note = t(run.reason === 'stopped' ? 'bulk.note.stopped_auth' : 'bulk.note.cancelled');
    for (let i = 0; i < run.total; i += 1) {
      if (run.status[i] === 'queued') setStatus(i, 'not_sent', { note });
    }
    finish(run.reason ?? 'done', run.reasonMessage);
  }

  /** One call of the bulk API for the rows `indexes` of the run. */
  function sendChunk(send, indexes) {
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
    };
    call.done = send(indexes, {
      signal: controller.signal,
      onProgress: (event) => {
        if (event.concurrency !== undefined) run.concurrency = event.concurrency;
        const i = indexes[event.row.index];
        if (call.released.has(i)) return;
        if (event.row.status === 'not_sent' && call.pauseAbort && !run.cancelled) release(i);
        else apply(i, event.row);
        if (event.queued === 0 && event.sending === 0) drain();
      },
    }).then((result) => {
      for (const row of result.results) {
        const i = indexes[row.index];
        if (call.released.has(i)) continue;
        if (row.status === 'not_sent' && call.pauseAbort && !run.cancelled && !call.isDrained) release(i);
        else apply(i, row);
      }
    }, (described) => {
      for (const i of indexes) {
        if (!call.released.has(i) && !FINAL.includes(run.status[i])) setStatus(i, 'failed', { error: described, retCode: described.retCode });
      }
      stop('error', described.message);
    }).finally(() => {
      drain();
      run.calls.delete(call);
    });
    run.calls.add(call);
    return call;
  }

  /** Pauses the run (the chunk being sent stops sending; rows in flight finish), or resumes it. */
  function pause() {
    if (!run.active() || run.cancelled) return;
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
    if (!run.active() || run.cancelled) return;
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
    run.reasonMessage = message;
    setState(state);
  }

  /** The rows of the ended run that failed or were not sent, which retry() sends again. */
  function retryable() {
    if (run.active() || !run.sent()) return [];
    const indexes = [];
    for (let i = 0; i < run.total; i += 1) {
      if (run.status[i] === 'failed' || run.status[i] === 'not_sent') indexes.push(i);
    }
    return indexes;
  }

  /**
   * Sends the failed and unsent rows of the ended run again, in the same run: the other rows keep
   * their outcome. A row whose user was created after all (an answer lost on the way back) ends as
   * "already existed", so nothing is created twice.
   */
  function retry(send) {
    const indexes = retryable();
    if (!indexes.length) return;
    Object.assign(run, {
      pending: indexes, paused: false, cancelled: false, reason: undefined, reasonMessage: undefined,
      pausedMs: 0, finishedAt: null,
    });
    for (const i of indexes) setStatus(i, 'queued', null);
    launch(send);
  }

  /**
   * What can be said of the run's time: `{ took }` (seconds) once it ended, `{ left }` (seconds,
   * or null until it can tell) while it runs, null when paused or nothing was sent.
   */
  function timing(now = performance.now()) {
    if (!run.sent()) return null;
    if (!run.active()) return run.finishedAt ? { took: (run.finishedAt - run.startedAt) / 1000 } : null;
    if (run.paused) return null;
    const c = run.counts;
    const remaining = c.queued + c.sending + c.sent;
    const done = c.created + c.exists + c.failed - run.keptCount;
    const seconds = (now - run.startedAt - run.pausedMs) / 1000;
    if (done < 1 || seconds < 1) return { left: null };
    return { left: remaining / (done / seconds) };
  }

  return run;
}

/**
 * What each control of the tab may do, for the rows of `sheet` and the latest run (or null).
 * `retry` is the number of rows Retry would send.
 */
export function controls(sheet, run) {
  const busy = Boolean(run?.active());
  // These rows were run: a run of other rows, or one that sent nothing, does not count.
  const used = Boolean(run && run.version === sheet.version && run.sent());
  return {
    busy,
    start: !busy && !sheet.checking && !used,
    again: !busy && used,
    pause: busy && !run.cancelled && (run.paused || run.sending()),
    resumes: busy && run.paused,
    cancel: busy && !run.cancelled,
    edit: !busy,
    download: Boolean(run) && !busy,
    retry: used ? run.retryable().length : 0,
  };
}

/** The results file's rows: a header, then one row per input row. Never a password. */
export function resultLines(run) {
  const kind = KINDS[run.kind];
  const lines = [['index', kind.cluster, kind.name, 'status', 'job_id', 'ret_code', 'error', 'note']];
  for (let i = 0; i < run.total; i += 1) {
    const row = run.rows[i];
    const info = run.info[i] ?? {};
    lines.push([i + 1, visible(row, row.cluster), visible(row, row.name), run.status[i], info.jobId ?? '',
      info.retCode ?? '', info.error?.message ?? '', info.note ?? '']);
  }
  return lines;
}
