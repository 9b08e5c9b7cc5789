// Every string the page shows, in English and Chinese. Validation messages and API error
// messages are not here: they come from the package, in the language asked for.
//
// Markup is translated through attributes: `data-i18n="key"` sets an element's text,
// `data-i18n-attr="aria-label:key; placeholder:key"` sets attributes. Text is always set as text,
// never as HTML.

export const LANGS = ['en', 'zh'];

const STRINGS = {
  en: {
    'doc.title': 'QingCloud user console',
    'app.title': 'QingCloud user console',
    'app.subtitle': 'Add ClickHouse database users and EHPC cluster users. Each request is checked, signed and sent from this page by the qingcloud-useradd package.',
    'app.language': 'Language',
    'app.loading': 'Loading the package…',
    'app.load_failed': 'The qingcloud-useradd package could not be loaded, so nothing can be checked or sent. Reload the page; if it keeps failing, check that the server serves /pkg/.',
    'app.skip': 'Skip to the form',

    'settings.heading': 'Connection',
    'settings.intro': 'Used by both forms. The secret stays in this tab’s memory and is used only to sign requests.',
    'settings.endpoint': 'API endpoint',
    'settings.endpoint.hint': 'Where requests go. By default, the server of this page: the sandbox, or its proxy to QingCloud.',
    'settings.zone': 'Zone',
    'settings.zone.hint': 'The zone of the cluster, such as pek3.',
    'settings.access_key_id': 'Access key ID',
    'settings.access_key_id.hint': 'The ID of a QingCloud API key.',
    'settings.secret_access_key': 'Secret access key',
    'settings.secret_access_key.hint': 'Held in memory only: never stored, never shown, never sent.',
    'settings.method': 'IaaS request method',
    'settings.method.post': 'POST (recommended)',
    'settings.method.get': 'GET',
    'settings.method.hint': 'POST keeps passwords out of URLs and access logs. EHPC requests are always POST.',
    'settings.remember': 'Remember the endpoint, zone and access key ID in this tab',
    'settings.remember.hint': 'Kept in this tab’s session storage until it closes. The secret is never stored.',
    'settings.endpoint.invalid': 'Enter an http:// or https:// address, such as https://api.qingcloud.com.',
    'settings.access_key_id.required': 'Enter the access key ID.',
    'settings.secret_access_key.required': 'Enter the secret access key.',

    'tabs.label': 'Kind of user',
    'tab.clickhouse': 'ClickHouse',
    'tab.ehpc': 'EHPC',

    'ch.heading': 'Add a ClickHouse database user',
    'ch.intro': 'Runs the add_users service of a ClickHouse cluster. Adding a user that already exists fails.',
    'ch.cluster': 'Cluster ID',
    'ch.cluster.hint': '“cl-” and 8 lowercase letters or digits, such as cl-yxgxofd3.',
    'ch.user_name': 'User name',
    'ch.user_name.hint': 'Letters, digits and underscores, not starting with a digit.',
    'ch.user_password': 'Password',
    'ch.user_password.hint': 'Printable ASCII without spaces, not starting with a digit; 8 characters or more is safer.',
    'ch.user_networks': 'Allowed networks',
    'ch.user_networks.hint': 'IPv4 or IPv6 addresses or CIDR blocks, separated by “;” or one per line.',
    'ch.user_networks.all': 'Allow all networks (::/0)',
    'ch.submit': 'Add ClickHouse user',

    'ehpc.heading': 'Add an EHPC cluster user',
    'ehpc.intro': 'Adds a user on the Users & Groups page of an EHPC cluster. A user name that is taken is refused.',
    'ehpc.cluster_id': 'Cluster ID',
    'ehpc.cluster_id.hint': '“ehpc-” and 8 lowercase letters or digits, such as ehpc-8jqdq0mz.',
    'ehpc.username': 'User name',
    'ehpc.username.hint': '1 to 8 letters, digits or underscores.',
    'ehpc.password': 'Password',
    'ehpc.password.hint': '12 to 30 characters: letters, digits and !@#%^&()*.',
    'ehpc.mod': 'Home directory permissions',
    'ehpc.mod.optional': 'optional',
    'ehpc.mod.hint': 'Three octal digits, such as 700. Leave empty for the cluster’s default.',
    'ehpc.submit': 'Add EHPC user',

    'password.show': 'Show',
    'password.hide': 'Hide',
    'password.show.label': 'Show the password',
    'password.hide.label': 'Hide the password',
    'password.generate': 'Generate',
    'password.generate.label': 'Generate a password that meets the policy',
    'password.generated': 'A new password was generated and is shown. Note it down before you add the user.',

    'networks.entries': 'Entries',
    'networks.ok': 'valid',
    'networks.bad': 'invalid',
    'networks.warn': 'valid, with a warning',

    'form.fix': 'Fix the highlighted fields first. Nothing was sent.',
    'form.fix.one': 'Fix the highlighted field first. Nothing was sent.',
    'form.sending': 'Sending…',

    'preview.summary': 'Request preview',
    'preview.note': 'What the page will send. The signature and every password are replaced with REDACTED.',
    'preview.incomplete': 'Complete the form to see the request.',
    'preview.method': 'Method',
    'preview.url': 'URL',
    'preview.body': 'Body',
    'preview.nobody': '(none)',
    'preview.curl': 'curl',
    'preview.copy': 'Copy curl command',
    'preview.copied': 'Copied.',
    'preview.copy_failed': 'Could not copy: select the command and copy it.',

    'history.heading': 'Submissions in this tab',
    'history.empty': 'Nothing submitted yet. Each submission appears here and is followed until its job ends.',
    'history.clear': 'Clear finished',

    'outcome.title.clickhouse': 'ClickHouse user {name} on {cluster}',
    'outcome.title.ehpc': 'EHPC user {name} on {cluster}',
    'outcome.job': 'Job',
    'outcome.at': 'Submitted',
    'outcome.progress': 'Progress',
    'status.sending': 'Sending',
    'status.pending': 'Pending',
    'status.working': 'Working',
    'status.successful': 'Successful',
    'status.failed': 'Failed',
    'outcome.detail.sending': 'Sending the request…',
    'outcome.detail.pending': 'The job is queued.',
    'outcome.detail.working': 'The job is running.',
    'outcome.detail.successful': 'The user was added.',
    'error.not_added': 'The user was not added.',
    'error.unknown_outcome': 'The outcome is not known: check the cluster’s users before trying again.',
    'error.job_timeout': 'The job had not finished when the page stopped following it; it may still finish.',
    'error.aborted': 'Stopped.',
    'error.ret_code': 'ret_code {code}',
  },
  zh: {
    'doc.title': '青云用户控制台',
    'app.title': '青云用户控制台',
    'app.subtitle': '添加 ClickHouse 数据库用户和 EHPC 集群用户。每个请求都由 qingcloud-useradd 包在本页校验、签名并发送。',
    'app.language': '语言',
    'app.loading': '正在加载…',
    'app.load_failed': '无法加载 qingcloud-useradd 包，因此无法校验或发送任何请求。请刷新页面；如果仍然失败，请检查服务器是否提供 /pkg/。',
    'app.skip': '跳到表单',

    'settings.heading': '连接设置',
    'settings.intro': '两个表单共用。私钥只保存在本标签页的内存中，仅用于签名请求。',
    'settings.endpoint': 'API 地址',
    'settings.endpoint.hint': '请求发往的地址。默认为本页所在的服务器：沙箱，或其代理到青云的模式。',
    'settings.zone': '区域',
    'settings.zone.hint': '集群所在的区域，例如 pek3。',
    'settings.access_key_id': 'Access key ID',
    'settings.access_key_id.hint': '青云 API 密钥的 ID。',
    'settings.secret_access_key': 'Secret access key（私钥）',
    'settings.secret_access_key.hint': '只保存在内存中：不会被存储、显示或发送。',
    'settings.method': 'IaaS 请求方式',
    'settings.method.post': 'POST（推荐）',
    'settings.method.get': 'GET',
    'settings.method.hint': 'POST 不会把密码写进 URL 和访问日志。EHPC 请求总是使用 POST。',
    'settings.remember': '在本标签页中记住 API 地址、区域和 access key ID',
    'settings.remember.hint': '保存在本标签页的会话存储中，关闭标签页即清除。私钥永不保存。',
    'settings.endpoint.invalid': '请输入 http:// 或 https:// 开头的地址，例如 https://api.qingcloud.com。',
    'settings.access_key_id.required': '请输入 access key ID。',
    'settings.secret_access_key.required': '请输入 secret access key。',

    'tabs.label': '用户类型',
    'tab.clickhouse': 'ClickHouse',
    'tab.ehpc': 'EHPC',

    'ch.heading': '添加 ClickHouse 数据库用户',
    'ch.intro': '调用 ClickHouse 集群的 add_users 服务。若用户已存在，操作会失败。',
    'ch.cluster': '集群 ID',
    'ch.cluster.hint': '“cl-”加 8 位小写字母或数字，例如 cl-yxgxofd3。',
    'ch.user_name': '用户名',
    'ch.user_name.hint': '字母、数字和下划线，不能以数字开头。',
    'ch.user_password': '密码',
    'ch.user_password.hint': '不含空格的可打印 ASCII 字符，不能以数字开头；8 位及以上更安全。',
    'ch.user_networks': '允许访问的网络',
    'ch.user_networks.hint': 'IPv4 或 IPv6 地址或 CIDR 网段，用“;”分隔或每行一个。',
    'ch.user_networks.all': '允许所有网络（::/0）',
    'ch.submit': '添加 ClickHouse 用户',

    'ehpc.heading': '添加 EHPC 集群用户',
    'ehpc.intro': '在 EHPC 集群的“用户 & 权限组”中新增用户。用户名已被占用时会被拒绝。',
    'ehpc.cluster_id': '集群 ID',
    'ehpc.cluster_id.hint': '“ehpc-”加 8 位小写字母或数字，例如 ehpc-8jqdq0mz。',
    'ehpc.username': '用户名',
    'ehpc.username.hint': '1 到 8 位字母、数字或下划线。',
    'ehpc.password': '密码',
    'ehpc.password.hint': '12 到 30 个字符：字母、数字和 !@#%^&()*。',
    'ehpc.mod': '用户目录权限',
    'ehpc.mod.optional': '可选',
    'ehpc.mod.hint': '三位八进制数字，例如 700。留空则使用集群默认值。',
    'ehpc.submit': '添加 EHPC 用户',

    'password.show': '显示',
    'password.hide': '隐藏',
    'password.show.label': '显示密码',
    'password.hide.label': '隐藏密码',
    'password.generate': '生成',
    'password.generate.label': '生成符合规则的密码',
    'password.generated': '已生成新密码并显示出来。添加用户前请记下它。',

    'networks.entries': '各项',
    'networks.ok': '有效',
    'networks.bad': '无效',
    'networks.warn': '有效，但有提醒',

    'form.fix': '请先修正标出的字段。没有发送任何请求。',
    'form.fix.one': '请先修正标出的字段。没有发送任何请求。',
    'form.sending': '正在发送…',

    'preview.summary': '请求预览',
    'preview.note': '本页将要发送的内容。签名和所有密码均以 REDACTED 代替。',
    'preview.incomplete': '填写完表单后即可预览请求。',
    'preview.method': '方法',
    'preview.url': 'URL',
    'preview.body': '请求体',
    'preview.nobody': '（无）',
    'preview.curl': 'curl',
    'preview.copy': '复制 curl 命令',
    'preview.copied': '已复制。',
    'preview.copy_failed': '无法复制：请选中命令后手动复制。',

    'history.heading': '本标签页的提交记录',
    'history.empty': '尚未提交。每次提交都会显示在这里，并跟踪到任务结束。',
    'history.clear': '清除已结束的记录',

    'outcome.title.clickhouse': 'ClickHouse 用户 {name}（集群 {cluster}）',
    'outcome.title.ehpc': 'EHPC 用户 {name}（集群 {cluster}）',
    'outcome.job': '任务',
    'outcome.at': '提交时间',
    'outcome.progress': '进度',
    'status.sending': '发送中',
    'status.pending': '等待中',
    'status.working': '执行中',
    'status.successful': '成功',
    'status.failed': '失败',
    'outcome.detail.sending': '正在发送请求…',
    'outcome.detail.pending': '任务已排队。',
    'outcome.detail.working': '任务正在执行。',
    'outcome.detail.successful': '用户已添加。',
    'error.not_added': '用户未添加。',
    'error.unknown_outcome': '结果未知：再次尝试前，请先查看集群的用户列表。',
    'error.job_timeout': '页面停止跟踪时任务尚未结束，之后仍可能完成。',
    'error.aborted': '已停止。',
    'error.ret_code': 'ret_code {code}',
  },
};

let current = 'en';
const listeners = new Set();

/** The language the browser prefers, if it is one of ours; English otherwise. */
export function detectLang(languages = navigator.languages ?? [navigator.language]) {
  for (const tag of languages) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGS.includes(base)) return base;
  }
  return 'en';
}

export function getLang() {
  return current;
}

/** The string `key` in the current language, with `{name}` placeholders filled in. */
export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Translates every marked element below `root`. */
export function translate(root = document) {
  for (const element of root.querySelectorAll('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of element.dataset.i18nAttr.split(';')) {
      const [attribute, key] = pair.split(':').map((s) => s.trim());
      if (attribute && key) element.setAttribute(attribute, t(key));
    }
  }
}

export function setLang(lang) {
  current = LANGS.includes(lang) ? lang : 'en';
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  document.title = t('doc.title');
  translate();
  for (const listener of listeners) listener(current);
}

/** Calls `listener(lang)` after every language change. */
export function onLangChange(listener) {
  listeners.add(listener);
}

/** A copy of one language's strings (for tests and tools). */
export function dictionary(lang) {
  return { ...STRINGS[lang] };
}
