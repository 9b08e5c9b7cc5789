// The submissions of this tab: one `role="status"` element per submission, newest first, whose
// `data-job-status` is `sending` until the API answers, then the job's status (`pending`,
// `working`, `successful` or `failed`). Kept in memory only; never holds a password or secret.

import { h, replace } from './dom.js';
import { getLang, t } from './i18n.js';

const PROGRESS = { sending: 10, pending: 35, working: 70 };
const FINAL = new Set(['successful', 'failed']);
/** The headline of a failure, by the package's error code: what it means for the user. */
const HEADLINES = {
  network_error: 'error.unknown_outcome',
  timeout: 'error.unknown_outcome',
  bad_response: 'error.unknown_outcome',
  job_timeout: 'error.job_timeout',
  aborted: 'error.aborted',
};

export function setupHistory({ list, empty, clear }) {
  const items = [];

  function render(item) {
    const { state, element } = item;
    element.dataset.jobStatus = state.status;
    const time = state.at.toLocaleTimeString(getLang() === 'zh' ? 'zh-CN' : 'en', {
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    const detail = state.error
      ? h('p', { class: 'outcome-detail error-text' },
        h('strong', {}, t(HEADLINES[state.error.code] ?? 'error.not_added')), ' ',
        h('span', { class: 'error-message' }, state.error.message),
        state.error.retCode !== undefined
          ? [' ', h('span', { class: 'ret-code' }, t('error.ret_code', { code: state.error.retCode }))]
          : null)
      : h('p', { class: 'outcome-detail' }, t(`outcome.detail.${state.status}`));
    replace(element,
      h('div', { class: 'outcome-head' },
        h('h3', { class: 'outcome-title' }, t(`outcome.title.${state.kind}`, { name: state.name, cluster: state.cluster })),
        h('span', { class: `badge badge-${state.status}` }, t(`status.${state.status}`))),
      FINAL.has(state.status) ? null : h('progress', {
        class: 'progress',
        max: 100,
        value: PROGRESS[state.status],
        'aria-label': t('outcome.progress'),
      }),
      detail,
      h('dl', { class: 'outcome-meta' },
        state.jobId ? h('div', {}, h('dt', {}, t('outcome.job')), h('dd', {}, h('code', { class: 'job-id' }, state.jobId))) : null,
        h('div', {}, h('dt', {}, t('outcome.at')), h('dd', {}, h('time', { datetime: state.at.toISOString() }, time)))));
  }

  function refresh() {
    empty.hidden = items.length > 0;
    clear.hidden = !items.some((item) => FINAL.has(item.state.status));
  }

  clear.addEventListener('click', () => {
    for (let i = items.length - 1; i >= 0; i -= 1) {
      if (FINAL.has(items[i].state.status)) {
        items[i].element.parentElement.remove();
        items.splice(i, 1);
      }
    }
    refresh();
    document.getElementById('history-heading')?.focus();
  });

  return {
    /** Adds a submission and returns `update(changes)`; the new element gets the focus. */
    add({ kind, name, cluster }) {
      const element = h('div', { class: 'outcome', role: 'status', tabindex: '-1' });
      const item = { element, state: { kind, name, cluster, status: 'sending', at: new Date() } };
      items.unshift(item);
      list.prepend(h('li', {}, element));
      render(item);
      refresh();
      element.focus();
      return (changes) => {
        Object.assign(item.state, changes);
        render(item);
        refresh();
      };
    },
    /** Renders every submission again, in the current language. */
    rerender() {
      for (const item of items) render(item);
      refresh();
    },
  };
}
