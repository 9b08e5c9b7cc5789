// The connection settings shared by every form. The secret access key is read from its input when
// a request is signed and kept nowhere else; "remember" keeps only the endpoint, zone, access key
// id and method in sessionStorage.

import { t } from './i18n.js';

const STORAGE_KEY = 'qingcloud-useradd.console.settings';
const REMEMBERED = ['endpoint', 'zone', 'accessKeyId', 'method'];

/** QingCloud's IaaS host, and the EHPC host that goes with it. */
const QINGCLOUD_IAAS = 'https://api.qingcloud.com';
const QINGCLOUD_EHPC = 'https://hpc.api.qingcloud.com';

function loadRemembered() {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    return parsed && typeof parsed === 'object' ? parsed : null;
  } catch {
    return null;
  }
}

/** An endpoint the package accepts: http(s), no query, fragment or credentials. */
export function checkEndpoint(text) {
  try {
    const url = new URL(text);
    const ok = (url.protocol === 'http:' || url.protocol === 'https:')
      && !url.search && !url.hash && !url.username && !url.password;
    return ok ? url.href.replace(/\/$/, '') : null;
  } catch {
    return null;
  }
}

export function setupSettings(onChange) {
  const $ = (id) => document.getElementById(id);
  const inputs = {
    endpoint: $('endpoint'),
    zone: $('zone'),
    accessKeyId: $('access_key_id'),
    secretAccessKey: $('secret_access_key'),
  };
  const remember = $('remember');
  const methodInputs = [...document.querySelectorAll('input[name="method"]')];

  // Enter in a settings field submits nothing.
  $('settings-form').addEventListener('submit', (event) => event.preventDefault());

  const saved = loadRemembered();
  inputs.endpoint.value = saved?.endpoint || location.origin;
  inputs.zone.value = saved?.zone ?? '';
  inputs.accessKeyId.value = saved?.accessKeyId ?? '';
  const method = saved?.method === 'GET' ? 'GET' : 'POST';
  for (const input of methodInputs) input.checked = input.value === method;
  remember.checked = saved !== null;

  function read() {
    const endpointText = inputs.endpoint.value.trim() || location.origin;
    return {
      endpointText,
      endpoint: checkEndpoint(endpointText),
      zone: inputs.zone.value.trim(),
      accessKeyId: inputs.accessKeyId.value.trim(),
      method: methodInputs.find((i) => i.checked)?.value ?? 'POST',
    };
  }

  function persist() {
    if (!remember.checked) {
      sessionStorage.removeItem(STORAGE_KEY);
      return;
    }
    const values = read();
    const kept = { endpoint: values.endpointText };
    for (const key of REMEMBERED.slice(1)) kept[key] = values[key];
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(kept));
  }

  const touched = new Set();
  for (const [name, input] of Object.entries(inputs)) {
    input.addEventListener('input', () => {
      touched.add(name);
      persist();
      onChange(name);
    });
  }
  for (const input of methodInputs) {
    input.addEventListener('change', () => {
      persist();
      onChange('method');
    });
  }
  remember.addEventListener('change', persist);

  return {
    inputs,
    read,
    touched,
    /** Sets the endpoint, zone and access key id (a resumed run's), as if typed. */
    use(values) {
      for (const key of ['endpoint', 'zone', 'accessKeyId']) {
        if (inputs[key].value === values[key]) continue;
        inputs[key].value = values[key];
        inputs[key].dispatchEvent(new Event('input'));
      }
    },
    /** The secret, read at the moment a request is signed. */
    secret: () => inputs.secretAccessKey.value,
    /** The EHPC endpoint that goes with an IaaS endpoint. */
    ehpcEndpoint(endpoint) {
      return endpoint === QINGCLOUD_IAAS ? QINGCLOUD_EHPC : endpoint;
    },
    /** Page-side problems of the settings the package does not validate, by input id. */
    problems({ forSubmit = false } = {}) {
      const values = read();
      const found = {};
      if (!values.endpoint) found.endpoint = t('settings.endpoint.invalid');
      if (!values.accessKeyId && (forSubmit || touched.has('accessKeyId'))) {
        found.access_key_id = t('settings.access_key_id.required');
      }
      if (!inputs.secretAccessKey.value && (forSubmit || touched.has('secretAccessKey'))) {
        found.secret_access_key = t('settings.secret_access_key.required');
      }
      return found;
    },
  };
}
