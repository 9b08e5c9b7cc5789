// A module worker using the installed package's /web entry by URL (import maps do not reach workers).
import init, { validateEhpcUser } from '/node_modules/qingcloud-useradd/pkg/web/index.js';

await init();
const report = validateEhpcUser({ clusterId: 'ehpc-sandbox1', zone: 'pek3', username: 'isabel', password: 'short' }, { lang: 'zh' });
postMessage({ ok: report.ok, codes: report.errors.map((error) => error.code) });
