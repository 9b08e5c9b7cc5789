// The console page: two forms that add a ClickHouse or an EHPC user through the qingcloud-useradd
// package (web target). Everything that validates, builds, signs and sends is the package's API;
// this file only wires it to the page.

import init, {
  addClickHouseUser,
  addEhpcUser,
  buildClickHouseAddUsersRequest,
  buildEhpcAddUserRequest,
  isQingCloudError,
  previewRequest,
  validateClickHouseUser,
  validateEhpcUser,
  waitForJob,
} from './pkg/qingcloud_useradd.js';
import { h, replace } from './dom.js';
import { describeError } from './errors.js';
import { detectLang, getLang, onLangChange, setLang, t } from './i18n.js';
import { setupBulk } from './bulk.js';
import { setupHistory } from './outcomes.js';
import { generatePassword, POLICIES } from './password.js';
import { setupSettings } from './settings.js';
import { setupTabs } from './tabs.js';

/** How often a job is polled, in milliseconds. */
const POLL_INTERVAL_MS = 1000;
/** Previews are signed with this stand-in, never with the real secret: the signature is masked anyway. */
const PREVIEW_CREDENTIALS = { accessKeyId: 'YOUR_ACCESS_KEY_ID', secretAccessKey: 'preview-only' };

/**
 * One entry per form. A new form (a new tab) adds an entry here, a tab button and a panel in
 * index.html; nothing else changes. Field names are the APIs' wire names.
 */
const FORMS = [
  {
    kind: 'clickhouse',
    formId: 'clickhouse-form',
    fields: ['cluster', 'user_name', 'user_password', 'user_networks'],
    networks: 'user_networks',
    policy: POLICIES.clickhouse,
    input: (v, s) => ({
      cluster: v.cluster.trim(),
      zone: s.zone,
      userName: v.user_name,
      userPassword: v.user_password,
      userNetworks: v.user_networks,
    }),
    describe: (input) => ({ name: input.userName, cluster: input.cluster }),
    validate: (input, lang) => validateClickHouseUser(input, { lang }),
    // IaaS: the method setting applies.
    options: (s) => ({ endpoint: s.endpoint, method: s.method }),
    build: buildClickHouseAddUsersRequest,
    send: addClickHouseUser,
  },
  {
    kind: 'ehpc',
    formId: 'ehpc-form',
    fields: ['cluster_id', 'username', 'password', 'mod'],
    policy: POLICIES.ehpc,
    input: (v, s) => ({
      clusterId: v.cluster_id.trim(),
      zone: s.zone,
      username: v.username,
      password: v.password,
      ...(v.mod.trim() ? { mod: v.mod.trim() } : {}),
    }),
    describe: (input) => ({ name: input.username, cluster: input.clusterId }),
    validate: (input, lang) => validateEhpcUser(input, { lang }),
    // The EHPC API is always POST.
    options: (s) => ({ endpoint: settings.ehpcEndpoint(s.endpoint) }),
    build: buildEhpcAddUserRequest,
    send: addEhpcUser,
  },
];

const $ = (id) => document.getElementById(id);
const announcer = $('announcer');
let settings;
let history;
let settingsSubmitted = false;
const controllers = new Map();
let active;

/** Says `text` through the page's polite live region. */
function announce(text) {
  announcer.textContent = '';
  requestAnimationFrame(() => {
    announcer.textContent = text;
  });
}

/** Shows `issues` ({ kind, message }) beside `control`, linked through its aria-describedby. */
function showIssues(control, issues) {
  const box = $(`${control.id}-msg`);
  replace(box, issues.length
    ? h('ul', { class: 'issues' }, issues.map((issue) => h('li', { class: `issue issue-${issue.kind}` },
      h('span', { class: 'issue-mark', 'aria-hidden': 'true' }, issue.kind === 'error' ? '✕' : '!'),
      h('span', {}, issue.message))))
    : null);
  const invalid = issues.some((issue) => issue.kind === 'error');
  if (invalid) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
  control.closest('.field')?.classList.toggle('has-error', invalid);
}

/** The issues of `field` in a report, errors first. */
function issuesOf(report, field) {
  return [
    ...report.errors.filter((e) => e.field === field).map((e) => ({ kind: 'error', message: e.message })),
    ...report.warnings.filter((w) => w.field === field).map((w) => ({ kind: 'warning', message: w.message })),
  ];
}

/** Renders the settings' messages: the zone's from the active form's report, the rest page-side. */
function renderSettings(report) {
  const problems = settings.problems({ forSubmit: settingsSubmitted });
  for (const id of ['endpoint', 'access_key_id', 'secret_access_key']) {
    showIssues($(id), problems[id] ? [{ kind: 'error', message: problems[id] }] : []);
  }
  const showZone = settingsSubmitted || settings.touched.has('zone');
  showIssues($('zone'), showZone ? issuesOf(report, 'zone') : []);
  return Object.keys(problems).length === 0;
}

/** One entry of user_networks, checked on its own: the other fields are fixed valid values. */
function networkEntryState(entry) {
  const report = validateClickHouseUser({
    cluster: 'cl-00000000', zone: 'pek3', userName: 'u', userPassword: 'a-long-password', userNetworks: entry,
  });
  if (report.errors.length) return 'bad';
  return report.warnings.length ? 'warn' : 'ok';
}

function renderNetworkEntries(list, text) {
  const entries = [...new Set(text.split(/[;\r\n]/).map((e) => e.trim()).filter(Boolean))].slice(0, 64);
  const marks = { ok: '✓', bad: '✕', warn: '!' };
  replace(list, entries.map((entry) => {
    const state = networkEntryState(entry);
    return h('li', { class: `entry entry-${state}` },
      h('span', { class: 'entry-mark', 'aria-hidden': 'true' }, marks[state]),
      h('code', {}, entry),
      h('span', { class: 'visually-hidden' }, ` (${t(`networks.${state}`)})`));
  }));
  list.hidden = entries.length === 0;
}

function setupForm(def) {
  const form = $(def.formId);
  const touched = new Set();
  let submitted = false;
  let sending = false;
  const status = form.querySelector('.form-status');
  const submitButton = form.querySelector('[type="submit"]');
  const details = form.querySelector('details.preview');
  const previewBox = form.querySelector('.preview-body');
  let curl = '';

  const control = (name) => form.elements.namedItem(name);
  const values = () => Object.fromEntries(def.fields.map((name) => [name, control(name).value]));

  function current() {
    const s = settings.read();
    const input = def.input(values(), s);
    return { s, input, report: def.validate(input, getLang()) };
  }

  function renderPreview(s, input, report) {
    if (!details.open) return;
    if (!report.ok || !s.endpoint) {
      replace(previewBox, h('p', { class: 'muted' }, t('preview.incomplete')));
      return;
    }
    let preview;
    try {
      const credentials = { ...PREVIEW_CREDENTIALS, accessKeyId: s.accessKeyId || PREVIEW_CREDENTIALS.accessKeyId };
      preview = previewRequest(def.build(input, credentials, { ...def.options(s), lang: getLang() }));
    } catch (error) {
      replace(previewBox, h('p', { class: 'error-text' }, String(error?.message ?? error)));
      return;
    }
    curl = preview.curl;
    replace(previewBox,
      h('p', { class: 'muted small' }, t('preview.note')),
      h('dl', { class: 'preview-list' },
        h('div', {}, h('dt', {}, t('preview.method')), h('dd', {}, h('code', { class: 'method' }, preview.method))),
        h('div', {}, h('dt', {}, t('preview.url')), h('dd', {}, h('code', { class: 'wrap' }, preview.url))),
        h('div', {}, h('dt', {}, t('preview.body')),
          h('dd', {}, preview.body ? h('code', { class: 'wrap' }, preview.body) : t('preview.nobody')))),
      h('div', { class: 'curl-head' },
        h('span', { class: 'curl-label' }, t('preview.curl')),
        h('button', { type: 'button', class: 'button subtle small', dataset: { action: 'copy-curl' } }, t('preview.copy'))),
      // Focusable, so that a keyboard can scroll a long command.
      h('pre', { class: 'curl', tabindex: '0' }, h('code', {}, preview.curl)));
  }

  /** Validates as the user types and shows the result beside each field and in the preview. */
  function refresh() {
    const { s, input, report } = current();
    for (const name of def.fields) {
      const visible = submitted || touched.has(name);
      showIssues(control(name), visible ? issuesOf(report, name) : []);
    }
    if (def.networks) renderNetworkEntries($(`${control(def.networks).id}-entries`), control(def.networks).value);
    const settingsOk = renderSettings(report);
    if (report.ok && settingsOk && s.endpoint) status.textContent = '';
    renderPreview(s, input, report);
    return { s, input, report, settingsOk };
  }

  form.addEventListener('input', (event) => {
    if (def.fields.includes(event.target.name)) touched.add(event.target.name);
    refresh();
  });
  details.addEventListener('toggle', refresh);

  form.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const action = button.dataset.action;
    if (action === 'toggle-password') {
      const input = $(button.getAttribute('aria-controls'));
      input.type = input.type === 'password' ? 'text' : 'password';
      labelToggles();
    } else if (action === 'generate-password') {
      const input = $(button.getAttribute('aria-controls'));
      let password = generatePassword(def.policy);
      // The package has the last word: draw again in the unlikely case it disagrees.
      for (let i = 0; i < 20 && issuesOf(def.validate(def.input({ ...values(), [input.name]: password }, settings.read()), 'en'), input.name)
        .some((issue) => issue.kind === 'error'); i += 1) {
        password = generatePassword(def.policy);
      }
      input.value = password;
      input.type = 'text';
      labelToggles();
      touched.add(input.name);
      refresh();
      announce(t('password.generated'));
    } else if (action === 'all-networks') {
      const input = $(button.getAttribute('aria-controls'));
      input.value = '::/0';
      touched.add(input.name);
      refresh();
      input.focus();
    } else if (action === 'copy-curl') {
      try {
        await navigator.clipboard.writeText(curl);
        announce(t('preview.copied'));
      } catch {
        const pre = form.querySelector('pre.curl');
        getSelection()?.selectAllChildren(pre);
        announce(t('preview.copy_failed'));
      }
    }
  });

  function labelToggles() {
    for (const button of form.querySelectorAll('[data-action="toggle-password"]')) {
      const shown = $(button.getAttribute('aria-controls')).type === 'text';
      button.textContent = t(shown ? 'password.hide' : 'password.show');
      button.setAttribute('aria-label', t(shown ? 'password.hide.label' : 'password.show.label'));
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (sending) return;
    submitted = true;
    settingsSubmitted = true;
    const { s, input, report, settingsOk } = refresh();
    if (!report.ok || !settingsOk) {
      // Nothing is sent: the errors are shown and the first one gets the focus.
      const invalid = [...document.querySelectorAll('.settings [aria-invalid="true"]'),
        ...form.querySelectorAll('[aria-invalid="true"]')];
      status.textContent = t(invalid.length === 1 ? 'form.fix.one' : 'form.fix');
      invalid[0]?.focus();
      return;
    }
    status.textContent = '';
    const credentials = { accessKeyId: s.accessKeyId, secretAccessKey: settings.secret() };
    sending = true;
    submitButton.disabled = true;
    follow(def, input, s, credentials, () => {
      sending = false;
      submitButton.disabled = false;
    });
  });

  labelToggles();
  return { refresh, labelToggles, form };
}

/** The plain-words part of an error: its code, ret_code and the package's message. */
/** Sends one add-user request and follows its job to the end, reporting in the history. */
async function follow(def, input, s, credentials, release) {
  const update = history.add({ kind: def.kind, ...def.describe(input) });
  const lang = getLang();
  try {
    const response = await def.send(input, credentials, { ...def.options(s), lang });
    release();
    update({ jobId: response.jobId, status: 'pending' });
    await waitForJob(response.jobId, {
      zone: s.zone,
      credentials,
      endpoint: s.endpoint,
      method: s.method,
      lang,
      intervalMs: POLL_INTERVAL_MS,
      // Final states are shown when the wait ends, with the reason of a failure.
      onStatus: (job) => {
        if (job.status === 'pending' || job.status === 'working') update({ status: job.status });
      },
    });
    update({ status: 'successful' });
  } catch (error) {
    update({ status: 'failed', error: describeError(error, isQingCloudError) });
  } finally {
    release();
  }
}

function refreshActive() {
  controllers.get(active)?.refresh();
}

async function main() {
  const langSelect = $('lang');
  setLang(detectLang());
  langSelect.value = getLang();
  langSelect.addEventListener('change', () => setLang(langSelect.value));

  try {
    await init();
  } catch {
    const banner = $('app-state');
    banner.textContent = t('app.load_failed');
    banner.hidden = false;
    for (const button of document.querySelectorAll('button[type="submit"]')) button.disabled = true;
    return;
  }

  settings = setupSettings(() => refreshActive());
  history = setupHistory({ list: $('outcomes'), empty: $('history-empty'), clear: $('clear-history') });
  for (const def of FORMS) controllers.set(def.formId, setupForm(def));
  setupBulk($('bulk-root'), settings);
  const tabs = setupTabs(document.querySelector('[role="tablist"]'), (tab, panel) => {
    active = panel.querySelector('form')?.id;
    refreshActive();
  });
  tabs.select(tabs.selected().getAttribute('aria-controls'));

  onLangChange(() => {
    for (const controller of controllers.values()) controller.labelToggles();
    refreshActive();
    history.rerender();
  });
  document.body.dataset.ready = 'true';
}

main();
