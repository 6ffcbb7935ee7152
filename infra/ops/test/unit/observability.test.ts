// The Grafana dashboard and the Prometheus alert rules in infra/observability name only metrics
// the services really export (a renamed metric would leave a panel empty or an alert silent).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { registry } from '@yuejuan/platform';
import '@yuejuan/gateway/metrics';
import '@yuejuan/runtime/metrics';
import '@yuejuan/reading/metrics';
import '@yuejuan/notifications/metrics';
import '@yuejuan/identity/metrics';

const file = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../observability/${name}`, import.meta.url)), 'utf8');

/** The yuejuan_* metrics an expression names (a histogram's _bucket/_count/_sum as the histogram). */
const named = (expr: string) =>
  [...expr.matchAll(/\byuejuan_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''));

describe('dashboard and alert rules', () => {
  const exported = new Set(registry.getMetricsAsArray().map((m) => m.name));

  it('the dashboard names only exported metrics, in every panel', () => {
    const dashboard = JSON.parse(file('grafana-dashboard.json')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) {
      const names = panel.targets.flatMap((t) => named(t.expr));
      expect(names.length, panel.title).toBeGreaterThan(0);
      for (const name of names) expect(exported, `${panel.title}: ${name}`).toContain(name);
    }
  });

  it('the alert rules name only exported metrics, and cover the outbox, the bus, subgraph errors, certificates and keys', () => {
    const rules = file('prometheus-alerts.yml');
    const alerts = [...rules.matchAll(/- alert: (\w+)\n\s+expr: (\|\n(?:\s{10,}.*\n)+|.*\n)/g)].map(
      (m) => ({ alert: m[1]!, expr: m[2]! }),
    );
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'SmsOutboxStuck',
        'WebhookSenderStalled',
        'EventBusLag',
        'EventBusGap',
        'SubgraphErrorRate',
        'CertificateExpiry',
        'KeyRotationDue',
      ]),
    );
    for (const { alert, expr } of alerts) {
      // Ours name ours; the certificate's comes from the blackbox exporter.
      if (alert !== 'CertificateExpiry') expect(named(expr).length, alert).toBeGreaterThan(0);
      for (const name of named(expr)) expect(exported, `${alert}: ${name}`).toContain(name);
    }
    // And a metric that does not exist is caught.
    expect(exported).not.toContain(named('rate(yuejuan_no_such_metric_total[5m])')[0]);
  });
});
