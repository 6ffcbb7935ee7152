import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseConfigShape, ConfigError, loadConfig, portSetting } from '../../src/index.ts';

const shape = { ...baseConfigShape, PORT: portSetting(4001), MAX: z.coerce.number().int().min(1) };
const good = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017/',
  YUEJUAN_INTERNAL_SECRET: 's'.repeat(32),
  MAX: '3',
};

describe('configuration', () => {
  it('reads, coerces and defaults', () => {
    expect(loadConfig(shape, good)).toMatchObject({
      PORT: 4001,
      MAX: 3,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
    });
  });

  it('stops with a message naming each bad variable, without echoing secrets', () => {
    const err = (() => {
      try {
        loadConfig(shape, {
          ...good,
          PORT: 'eighty',
          YUEJUAN_INTERNAL_SECRET: 'short-secret',
          MONGODB_URI: undefined,
        });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toMatch(/PORT: .*"eighty"/);
    expect(message).toMatch(/MONGODB_URI: .*not set/);
    expect(message).toMatch(/YUEJUAN_INTERNAL_SECRET: .*value hidden/);
    expect(message).not.toContain('short-secret');
  });
});
