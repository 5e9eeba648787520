#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/main.js) into dist/ecs-role-operator.mjs: the file the
// image runs, `npm run build` links as the `ecs-role-operator` command, and the end-to-end tests
// and the benchmark start.
//
// Why: @kubernetes/client-node's entry point loads every generated API class and model, 21 MB of
// JavaScript whose source text V8 keeps in the heap (about a sixth of the operator's memory at
// 10,000 bindings). Bundled, only what the operator uses is left, minified: about 1 MB.
//
// Only client-node goes into the bundle. Every other package stays an import resolved from
// node_modules at run time: the Alibaba Cloud SDKs are CommonJS whose models the operator loads
// lazily (src/util/lazy-cjs-barrel.ts), and the workspace packages behind `sandbox` and `sim`
// are optional (absent from the image).
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLED = /^@kubernetes\/client-node(\/|$)/;

const outfile = join(root, 'dist/ecs-role-operator.mjs');
await build({
  entryPoints: [join(root, 'dist/src/cli/main.js')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [
    {
      name: 'keep-other-packages-external',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.test(args.path) || args.path.startsWith('node:') ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});

// V8 keeps a script's source as one-byte text only when every character is Latin-1: one Greek mu left
// in a regular expression by a dependency doubled the bundle's 1.2 MB in the heap. Outside ASCII,
// every character becomes its \u escape, which means the same in strings, regular expressions
// and identifiers (the source map's columns on such a line shift by a few characters).
const text = readFileSync(outfile, 'utf8');
const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
if (ascii !== text) writeFileSync(outfile, ascii);
