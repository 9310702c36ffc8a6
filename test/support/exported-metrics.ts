// The metric names a real Operator registers, without a cluster: the Operator is constructed (its
// metrics are registered in the constructor) but never started.
import * as k8s from '@kubernetes/client-node';
import { parseOperatorArgs } from '../../src/operator/command.js';
import { Operator } from '../../src/operator/operator.js';
import { createLogger } from '../../src/observability/logger.js';

/** Every sample name the operator's /metrics can carry: histograms as name, _bucket, _sum and _count. */
export async function operatorMetricNames(): Promise<Set<string>> {
  const config = new k8s.KubeConfig();
  config.loadFromClusterAndUser(
    { name: 'none', server: 'https://127.0.0.1:9', skipTLSVerify: true },
    { name: 'none' },
  );
  const parsed = parseOperatorArgs(['--namespace', 'doctor-system'], {});
  if (parsed === 'help') throw new Error('unexpected help');
  const operator = new Operator(config, parsed.options, createLogger('test', 'error'));
  const names = new Set<string>();
  for (const metric of await operator.metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}
