// The chart's optional PrometheusRule: off by default, and every alert reads only metrics the operator
// really exports (the names come from a constructed Operator's registry, not from a list kept here).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardMetrics, metricNamesOf } from '../../support/promql-metrics.js';
import { operatorMetricNames } from '../../support/exported-metrics.js';
import { chartDir, renderChart } from './helm.js';

interface RuleShape {
  spec: {
    groups: { name: string; rules: { alert: string; expr: string; labels: { severity: string } }[] }[];
  };
}

describe('helm chart: PrometheusRule and dashboard metrics', function () {
  this.timeout(60_000);

  it('is not rendered unless prometheusRule.enabled', async function () {
    const objects = await renderChart('ns');
    assert.equal(objects.filter((o) => o.kind === 'PrometheusRule').length, 0);
  });

  it('alerts on host down, notifications abandoned, Nova unreachable, monitors silent and no leader, from exported metrics', async function () {
    const objects = await renderChart('doctor-system', [
      'prometheusRule.enabled=true',
      'prometheusRule.labels.release=kps',
    ]);
    const rules = objects.filter((o) => o.kind === 'PrometheusRule');
    assert.equal(rules.length, 1);
    const rule = rules[0]!;
    assert.equal(rule.metadata.namespace, 'doctor-system');
    assert.equal(rule.metadata.labels?.release, 'kps');
    const alerts = (rule as unknown as RuleShape).spec.groups.flatMap((g) => g.rules);
    assert.deepEqual(alerts.map((a) => a.alert).sort(), [
      'DoctorHostDown',
      'DoctorMonitorsSilent',
      'DoctorNoLeader',
      'DoctorNotificationsAbandoned',
      'DoctorNovaUnreachable',
    ]);
    const exported = await operatorMetricNames();
    for (const alert of alerts) {
      const names = metricNamesOf(alert.expr);
      assert.ok(names.length > 0, `${alert.alert} reads a metric: ${alert.expr}`);
      for (const name of names)
        assert.ok(exported.has(name), `${alert.alert} reads ${name}, which the operator does not export`);
      assert.match(alert.expr, /namespace="doctor-system"/, `${alert.alert} is scoped to the release`);
      assert.ok(['warning', 'critical'].includes(alert.labels.severity));
    }
  });

  it('the Grafana dashboard queries only metrics the operator registers (the e2e checks they have samples)', async function () {
    const used = dashboardMetrics(readFileSync(join(chartDir, 'files/grafana-dashboard.json'), 'utf8'));
    const exported = await operatorMetricNames();
    const unknown = [...used]
      .filter(([name]) => !exported.has(name))
      .map(([name, panels]) => `${name} (${panels.join(', ')})`);
    assert.deepEqual(unknown, []);
  });
});
