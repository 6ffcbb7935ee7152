// Every GraphQL operation the three apps send, read from their sources: the text after each
// `/* GraphQL */` tag, verbatim. Operations are static text (the gateway runs persisted
// operations only in production), so an interpolation `${…}` left in one fails to parse.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Operation {
  file: string;
  source: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'node_modules' || name.startsWith('.') || name === 'build' ? [] : walk(path);
    return /\.(svelte|ts)$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Operations of the sources under `roots`, with file names relative to `base`. */
export function collectOperations(base: string, roots: string[]): Operation[] {
  const out: Operation[] = [];
  for (const file of roots.flatMap((r) => walk(join(base, r)))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\/\* GraphQL \*\/ `([^`]*)`/g))
      out.push({ file: relative(base, file), source: m[1]! });
  }
  return out;
}
