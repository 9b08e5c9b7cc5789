// The /web entry's loaders, as pages, workers and esbuild users call them.
import init, { initSync, validateEhpcUser } from 'qingcloud-useradd/web';

await init({ module_or_path: new URL('./qingcloud_useradd_bg.wasm', import.meta.url) });
initSync({ module: new Uint8Array([0, 97, 115, 109]) });
const ok: boolean = validateEhpcUser({ clusterId: 'ehpc-sandbox1', zone: 'pek3', username: 'isabel', password: 'kUISjs@kkkkkk!' }).ok;

// @ts-expect-error: initSync needs the module
initSync();

export { ok };
