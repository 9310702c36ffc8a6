// The metric names a PromQL expression reads, for tests that check dashboards and alerts query only
// metrics the operator exports. Enough PromQL for our expressions: label matchers, ranges, strings,
// grouping clauses and function calls are removed; what is left that is not a keyword is a metric.
const keywords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

export function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/(?<![A-Za-z0-9_:])\d+(\.\d*)?([eE][+-]?\d+)?/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?/g)) {
    const [token, call] = [match[0].replace(/\s*\($/, ''), match[1]];
    if (call !== undefined || keywords.has(token.toLowerCase())) continue;
    names.add(token);
  }
  return [...names].sort();
}

/** Grafana constant variables (`${name}`) replaced by their values. */
export function resolveVariables(expr: string, constants: ReadonlyMap<string, string>): string {
  return expr.replace(/\$\{(\w+)\}/g, (whole, name: string) => constants.get(name) ?? whole);
}

interface Dashboard {
  templating: { list: { name: string; type: string; query: string }[] };
  panels: { title: string; targets: { expr: string }[] }[];
}

/** Every metric a Grafana dashboard's panels query, with the panels that query each. */
export function dashboardMetrics(dashboardJson: string): Map<string, string[]> {
  const dashboard = JSON.parse(dashboardJson) as Dashboard;
  const constants = new Map(
    dashboard.templating.list.filter((v) => v.type === 'constant').map((v) => [v.name, v.query]),
  );
  const used = new Map<string, string[]>();
  for (const panel of dashboard.panels)
    for (const target of panel.targets)
      for (const name of metricNamesOf(resolveVariables(target.expr, constants)))
        used.set(name, [...(used.get(name) ?? []), panel.title]);
  return used;
}

/** The sample names in a Prometheus text exposition (histograms as their _bucket/_sum/_count). */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]/.exec(line);
    if (match?.[1]) names.add(match[1]);
  }
  return names;
}
