#!/usr/bin/env node
// Puts the built CLI on node_modules/.bin (npm links the bins of dependencies, not of the root
// package itself, and skips a bin whose file does not exist yet at install time): after
// `npm run build`, `export PATH=$PWD/node_modules/.bin:$PATH` makes `ecs-role-operator` work.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const binDir = join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
for (const [name, target] of Object.entries(pkg.bin ?? {})) {
  const file = join(root, target);
  if (!existsSync(file)) {
    process.stderr.write(`link-cli: ${target} is not built; run npm run build\n`);
    process.exit(1);
  }
  chmodSync(file, 0o755);
  const link = join(binDir, name);
  try {
    lstatSync(link);
    rmSync(link);
  } catch {
    // no link yet
  }
  symlinkSync(relative(binDir, file), link);
}
