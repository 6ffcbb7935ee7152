/** `--name=value` and `--flag` command-line options, with typed defaults. */
export function parseArgs(argv = process.argv.slice(2)) {
  const map = new Map<string, string>();
  for (const a of argv) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a} (options look like --name=value)`);
    map.set(m[1]!, m[2] ?? 'true');
  }
  const used = new Set<string>();
  const get = (name: string) => {
    used.add(name);
    return map.get(name);
  };
  return {
    number(name: string, fallback: number): number {
      const v = get(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0)
        throw new Error(`--${name} must be a non-negative number (got ${v})`);
      return n;
    },
    string<T extends string>(name: string, fallback: T, allowed?: readonly T[]): T {
      const v = (get(name) ?? fallback) as T;
      if (allowed && !allowed.includes(v))
        throw new Error(`--${name} must be one of ${allowed.join(', ')} (got ${v})`);
      return v;
    },
    list(name: string, fallback: string[]): string[] {
      const v = get(name);
      return v === undefined
        ? fallback
        : v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
    },
    flag(name: string): boolean {
      return get(name) === 'true';
    },
    /** Throws on options nobody asked for (typos would otherwise be silently ignored). */
    done(): void {
      const unknown = [...map.keys()].filter((k) => !used.has(k));
      if (unknown.length)
        throw new Error(`unknown option(s): ${unknown.map((k) => `--${k}`).join(' ')}`);
    },
  };
}
