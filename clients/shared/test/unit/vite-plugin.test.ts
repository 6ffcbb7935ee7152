import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashesByName, manifestPath, persistedOperations } from '../../vite-plugin.js';

describe('the persisted-operations Vite plugin', () => {
  it('maps every operation of the committed manifest by name to its hash', () => {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, string>;
    const hashes = hashesByName(manifest);
    expect(Object.keys(hashes)).toHaveLength(Object.keys(manifest).length);
    expect(Object.keys(hashes)).toEqual(
      expect.arrayContaining([
        'PortalBindings',
        'VerifierScan',
        'ConsoleProsecutorLogin',
        'DevSmsInbox',
      ]),
    );
    expect(manifest[hashes.PortalBindings!]).toMatch(/^query PortalBindings/);
  });

  it('defines the map in production builds only', () => {
    const plugin = persistedOperations() as unknown as {
      config: (c: object, env: { command: string }) => { define?: Record<string, string> };
    };
    expect(
      JSON.parse(plugin.config({}, { command: 'build' }).define!.__YUEJUAN_PERSISTED__!),
    ).toHaveProperty('PortalBindings');
    expect(plugin.config({}, { command: 'serve' })).toEqual({});
  });

  it('refuses a manifest entry that names no operation', () => {
    expect(() => hashesByName({ ['c'.repeat(64)]: 'fragment F on Query { hello }' })).toThrow(
      /names no operation/,
    );
  });
});
