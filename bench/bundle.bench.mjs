// What a page that adds a user downloads when built by a bundler: the packed package installed into
// the throwaway project of tests/consumers/ (see tests/support/consumer-project.mjs), its page
// (app/page.js: the README example) built by Vite and webpack 5, and app/page-esbuild.js by
// esbuild; every emitted .js and .wasm, each gzipped at level 9 as a server would send it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeConsumerProject } from '../tests/support/consumer-project.mjs';

/** Gzipped bytes of the .js and of the .wasm files under `dir`. */
function gzipBytes(dir) {
  const sizes = { js: 0, wasm: 0 };
  for (const file of readdirSync(dir, { recursive: true })) {
    const kind = file.endsWith('.js') ? 'js' : file.endsWith('.wasm') ? 'wasm' : null;
    if (kind) sizes[kind] += gzipSync(readFileSync(join(dir, file)), { level: 9 }).length;
  }
  return sizes;
}

export default async function () {
  const project = makeConsumerProject();
  try {
    project.run('npm', ['run', 'build:vite']);
    project.run('npm', ['run', 'build:webpack']);
    project.run('npm', ['run', 'build:esbuild', '--', '--minify']);
    const vite = gzipBytes(join(project.path, 'app', 'dist'));
    const webpack = gzipBytes(join(project.path, 'webpack', 'dist'));
    const esbuild = gzipBytes(join(project.path, 'esbuild', 'dist'));
    return [
      { key: 'bundle_vite_js_gzip_bytes', value: vite.js, unit: 'bytes', label: 'Vite 8 build of a page adding a user: JS, gzip -9' },
      { key: 'bundle_vite_wasm_gzip_bytes', value: vite.wasm, unit: 'bytes', label: '  .wasm, gzip -9' },
      { key: 'bundle_vite_gzip_bytes', value: vite.js + vite.wasm, unit: 'bytes', label: '  JS + .wasm, gzip -9' },
      { key: 'bundle_webpack_gzip_bytes', value: webpack.js + webpack.wasm, unit: 'bytes', label: 'webpack 5 build, JS + .wasm, gzip -9', note: `JS ${webpack.js}` },
      { key: 'bundle_esbuild_gzip_bytes', value: esbuild.js + esbuild.wasm, unit: 'bytes', label: 'esbuild --minify, JS + .wasm, gzip -9', note: `JS ${esbuild.js}` },
    ];
  } finally {
    project.remove();
  }
}
