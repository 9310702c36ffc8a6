// How the operator's Node.js is started (the chart sets NODE_OPTIONS to this; the demo and benchmark
// launchers pass the same). Node 24's V8 lets the young generation grow to 64 MB semi-spaces: under a
// steady load (a thousand monitors' heartbeats) the operator then held ~400 MB RSS for a 60 MB heap.
// 16 MB (Node 20's default) keeps the young generation's share small at no measured CPU cost.
export const operatorNodeOptions = '--max-semi-space-size=16';
