// Every GraphQL operation the three apps send, read from their sources: the text after each
// `/* GraphQL */` tag, with `${name}` filled from the file's `const name = '…'` (both
// alternatives of a `cond ? 'a' : 'b'`), so a test can validate them against the contract.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Operation { file: string; source: string }

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name.startsWith('.') || name === 'build' ? [] : walk(path);
    return /\.(svelte|ts)$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Operations of the sources under `roots`, with file names relative to `base`. */
export function collectOperations(base: string, roots: string[]): Operation[] {
  const out: Operation[] = [];
  for (const file of roots.flatMap((r) => walk(join(base, r)))) {
    const text = readFileSync(file, 'utf8');
    const consts = new Map<string, string[]>();
    for (const m of text.matchAll(/const (\w+) = (?:[^;\n]*?\? )?'([^']+)'(?: : '([^']+)')?;/g)) consts.set(m[1]!, [m[2]!, ...(m[3] ? [m[3]] : [])]);
    for (const m of text.matchAll(/\/\* GraphQL \*\/ `([^`]*)`/g)) {
      let variants = [m[1]!];
      for (const name of new Set([...m[1]!.matchAll(/\$\{(\w+)\}/g)].map((x) => x[1]!))) {
        const values = consts.get(name) ?? [`__unresolved_${name}`];
        variants = variants.flatMap((v) => values.map((value) => v.replaceAll(`\${${name}}`, value)));
      }
      for (const source of variants) out.push({ file: relative(base, file), source });
    }
  }
  return out;
}
