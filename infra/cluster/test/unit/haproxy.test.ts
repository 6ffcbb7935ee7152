// The committed HAProxy configuration is valid for the cluster's port layout (HAProxy's own
// check, `haproxy -c`), and balances every kind of service over its two instances.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureSystemPackages } from '@yuejuan/ops';
import { clusterPorts, haproxyConfig, haproxyEnv, haproxyPackage } from '../../src/cluster.ts';

beforeAll(async () => {
  await ensureSystemPackages([haproxyPackage], () => {});
}, 300_000);

describe('infra/cluster/haproxy.cfg', () => {
  const ports = clusterPorts(4000, 3000);

  it('passes HAProxy’s own configuration check with the layout’s addresses', () => {
    const check = spawnSync('haproxy', ['-c', '-f', haproxyConfig()], {
      env: { ...process.env, ...haproxyEnv(ports, '/tmp/yuejuan-haproxy-check.sock') },
      encoding: 'utf8',
    });
    expect(check.stdout + check.stderr).toContain('Configuration file is valid');
    expect(check.status).toBe(0);
  });

  it('gives every service a frontend, health-checked on a page, and its two instances', () => {
    const text = readFileSync(haproxyConfig(), 'utf8');
    for (const kind of Object.keys(ports.balanced)) {
      const backend = new RegExp(`^backend ${kind}\\n((?:    .*\\n)+)`, 'm').exec(text)?.[1];
      expect(backend, kind).toBeDefined();
      expect(backend).toMatch(/option httpchk GET \/\w+/);
      expect(backend!.match(/^\s+server \w+ "\$\{\w+\}" check$/gm)).toHaveLength(2);
      expect(text).toMatch(
        new RegExp(`^frontend ${kind}\\n    bind "\\$\\{${kind.toUpperCase()}_BIND\\}"`, 'm'),
      );
    }
  });

  it('does not silently answer: an address left unset fails the check', () => {
    const env = haproxyEnv(ports, '/tmp/yuejuan-haproxy-check.sock');
    delete env.CASES2;
    const check = spawnSync('haproxy', ['-c', '-f', haproxyConfig()], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    });
    expect(check.status).not.toBe(0);
  });
});
