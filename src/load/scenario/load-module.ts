import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError, PeaklabError } from '../../shared/errors.js';
import type { ScenarioFn } from './types.js';

let tsxRegistered = false;

function invalid(file: string, why: string, cause?: unknown): PeaklabError {
  return new PeaklabError('PL_FILE_INVALID', `scenario ${file}: ${why}`, { cause });
}

/**
 * What can be checked of a scenario file without running it: that it exists and has a module's
 * extension. Throws PL_FILE_INVALID as loadScenario does; returns its absolute path.
 */
export function checkScenarioFile(file: string): { path: string; typescript: boolean } {
  const path = resolve(file);
  if (!existsSync(path)) throw invalid(file, 'no such file');
  const ext = /\.[^./\\]+$/.exec(path)?.[0] ?? '';
  const typescript = ['.ts', '.mts', '.cts'].includes(ext);
  if (!typescript && !['.mjs', '.js', '.cjs'].includes(ext))
    throw invalid(file, `"${ext || 'no extension'}" is not a module (use .mjs, .js or .ts)`);
  return { path, typescript };
}

/**
 * Imports a scenario module and returns its default export. `.mjs` and `.js` are imported as they
 * are; `.ts`, `.mts` and `.cts` go through tsx's loaders (ESM, and CommonJS for a .ts outside a
 * "type": "module" package), registered (once) only then, since Node 20 cannot strip types. Errors: PL_FILE_INVALID (exit 2) for a missing file, an extension
 * that is not a module's, a module that fails to load (syntax error, a throw at its top level, a
 * missing import) or a default export that is not a function.
 */
export async function loadScenario(file: string): Promise<ScenarioFn> {
  const { path, typescript } = checkScenarioFile(file);
  if (typescript && !tsxRegistered) {
    // Outside a "type": "module" package Node loads a .ts file as CommonJS: tsx hooks both loaders.
    const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
    esm.register();
    cjs.register();
    tsxRegistered = true;
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (err) {
    throw invalid(file, `cannot be loaded: ${describeError(err).split('\n')[0]}`, err);
  }
  let fn = mod.default;
  // A module loaded as CommonJS: its exports object is the default; the scenario is its `default`.
  if (fn !== null && typeof fn === 'object' && 'default' in fn) fn = (fn as { default: unknown }).default;
  if (typeof fn !== 'function')
    throw invalid(
      file,
      fn === undefined
        ? 'has no default export (export default async function (api) { ... })'
        : `its default export is a ${typeof fn}, not a function`,
    );
  return fn as ScenarioFn;
}
