/**
 * Lazy loading for a generated CommonJS "barrel" module: one that requires every sibling file of a
 * package and re-exports their classes (`var X_1 = require("./X"); Object.defineProperty(exports,
 * "Name", { ..., get: function () { return X_1.Name; } })`). The Alibaba Cloud SDKs' models/model.js
 * are such barrels: ECS's loads about 2,000 model files (tens of MiB of heap) of which the operator
 * uses a handful. Installed in the require cache before the package loads, this module stands in
 * for the barrel: every export is still there, and each file loads on first use of one of its names.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const REQUIRE_LINE = /var (\w+) = require\("(\.\/[^"]+)"\);/g;
const EXPORT_LINE = /Object\.defineProperty\(exports, "(\w+)", \{ enumerable: true, get: function \(\) \{ return (\w+)\.(\w+); \} \}\);/g;

/**
 * Export name -> [the sibling file it comes from, its name there], as the barrel's text declares them.
 * The names are copies, not slices of `text`: a V8 substring keeps its whole parent alive, and
 * ECS's barrel is 750 KB.
 */
export function barrelExports(text: string): Map<string, { file: string; name: string }> {
  const files = new Map<string, string>();
  for (const m of text.matchAll(REQUIRE_LINE)) files.set(m[1] as string, ownCopy(m[2] as string));
  const out = new Map<string, { file: string; name: string }>();
  for (const m of text.matchAll(EXPORT_LINE)) {
    const file = files.get(m[2] as string);
    if (file) out.set(ownCopy(m[1] as string), { file, name: ownCopy(m[3] as string) });
  }
  return out;
}

/** A string with storage of its own (a round trip through a Buffer never yields a slice). */
function ownCopy(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

interface CacheableModule {
  id: string;
  filename: string;
  loaded: boolean;
  exports: unknown;
  paths: string[];
  children: unknown[];
}

/**
 * Makes `require(barrelPath)` answer lazily. Does nothing (the barrel loads as usual) when the file
 * does not have the expected shape: no export is ever lost.
 */
export function installLazyBarrel(barrelPath: string): boolean {
  const req = createRequire(barrelPath);
  if (req.cache[barrelPath]) return false;
  const exportsByName = barrelExports(readFileSync(barrelPath, 'utf8'));
  if (exportsByName.size === 0) return false;
  const dir = dirname(barrelPath);
  const lazy: Record<string, unknown> = {};
  Object.defineProperty(lazy, '__esModule', { value: true });
  for (const [exported, { file, name }] of exportsByName) {
    Object.defineProperty(lazy, exported, {
      enumerable: true,
      configurable: true,
      get() {
        const value = (req(join(dir, file)) as Record<string, unknown>)[name];
        Object.defineProperty(lazy, exported, { value, enumerable: true });
        return value;
      },
    });
  }
  const mod: CacheableModule = { id: barrelPath, filename: barrelPath, loaded: true, exports: lazy, paths: [], children: [] };
  req.cache[barrelPath] = mod as unknown as NodeJS.Module;
  return true;
}

/** The models/model.js barrel of an SDK package, resolved from `fromUrl`. */
export function sdkModelsBarrel(fromUrl: string, packageName: string): string {
  return join(dirname(createRequire(fromUrl).resolve(packageName)), 'models', 'model.js');
}
