// The PromQL reader the dashboard and alert tests rely on: it must find every metric and nothing else.
import assert from 'node:assert/strict';
import { dashboardMetrics, exposedNames, metricNamesOf } from '../../support/promql-metrics.js';

describe('metric names out of PromQL', function () {
  it('finds metrics behind functions, aggregations, matchers and ranges, and no label or keyword', function () {
    assert.deepEqual(
      metricNamesOf(
        'histogram_quantile(0.95, sum by (le, segment) (rate(doctor_detection_latency_seconds_bucket{segment="T01-T03"}[$__rate_interval])))',
      ),
      ['doctor_detection_latency_seconds_bucket'],
    );
    assert.deepEqual(
      metricNamesOf(
        '(max(doctor_leader{namespace="x"}) or vector(0)) < 1 and on (pod) process_cpu_seconds_total',
      ),
      ['doctor_leader', 'process_cpu_seconds_total'],
    );
    assert.deepEqual(metricNamesOf('sum without (a) (increase(x_total{y="a{b}"}[15m])) > 0'), ['x_total']);
    assert.deepEqual(metricNamesOf('process_resident_memory_bytes / 1e9 > 2.5E-3'), [
      'process_resident_memory_bytes',
    ]);
  });

  it('resolves a dashboard constant into the metric it names', function () {
    const dashboard = JSON.stringify({
      templating: { list: [{ name: 'm', type: 'constant', query: 'doctor_hosts' }] },
      panels: [{ title: 'Hosts', targets: [{ expr: 'sum by (state) (${m})' }] }],
    });
    assert.deepEqual([...dashboardMetrics(dashboard)], [['doctor_hosts', ['Hosts']]]);
  });

  it('reads sample names from an exposition, not HELP or TYPE lines', function () {
    const text = '# HELP a_total x\n# TYPE a_total counter\na_total 1\nb_bucket{le="1"} 0\n';
    assert.deepEqual([...exposedNames(text)].sort(), ['a_total', 'b_bucket']);
  });
});
