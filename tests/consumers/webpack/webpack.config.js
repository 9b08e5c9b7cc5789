// webpack 5 with no options for the package: the bare import, as the README says.
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  context: fileURLToPath(new URL('..', import.meta.url)),
  entry: './app/page.js',
  output: { path: fileURLToPath(new URL('dist/', import.meta.url)), filename: 'main.js', clean: true },
};
