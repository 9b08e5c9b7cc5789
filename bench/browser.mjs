// Headless Chromium for the benchmarks: Debian's /usr/bin/chromium through playwright-core, and a
// static server on 127.0.0.1 (port 0, never cached) that serves the given pages, the web target
// at /pkg/, the bench modules at /bench/ and the repository's node_modules at /node_modules/.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const ROOTS = {
  '/pkg/': new URL('../pkg/web/', import.meta.url),
  '/bench/': new URL('./', import.meta.url),
  '/node_modules/': new URL('../node_modules/', import.meta.url),
};
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

async function serve(pages) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    try {
      let body;
      let type;
      const root = Object.keys(ROOTS).find((prefix) => path.startsWith(prefix));
      if (Object.hasOwn(pages, path)) {
        [body, type] = [pages[path], TYPES['.html']];
      } else if (root && !path.includes('..')) {
        body = await readFile(new URL(path.slice(root.length), ROOTS[root]));
        type = TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
      } else {
        throw new Error('not found');
      }
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

/** Runs `fn({ browser, url })` with Chromium and the server of `pages` (`{ path: html }`), then closes both. */
export async function withChromium(pages, fn) {
  const { server, url } = await serve(pages);
  try {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      return await fn({ browser, url });
    } finally {
      await browser.close();
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
