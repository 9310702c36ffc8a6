// What the simulator's routers share: the state, the live options and the catalog built from the URL
// the server listens on.
import type { ResolvedOptions } from './options.js';
import type { SimState } from './state.js';

export interface SimContext {
  state: SimState;
  options: ResolvedOptions;
  /** http://127.0.0.1:PORT once listening. */
  baseUrl(): string;
}

/** Compute endpoint prefixes: each serves the same Nova, so tests see which one the client picked. */
export const computePrefixes = {
  public: '/compute',
  internal: '/compute-internal',
  admin: '/compute-admin',
  otherRegion: '/compute-r2',
} as const;

export const otherRegion = 'RegionTwo';

export function catalog(ctx: SimContext, projectId: string): unknown[] {
  const base = ctx.baseUrl();
  const region = ctx.options.region;
  const endpoint = (iface: string, url: string, regionId = region) => ({
    id: `${iface}-${regionId}-${url.length}`,
    interface: iface,
    region: regionId,
    region_id: regionId,
    url,
  });
  return [
    {
      id: 'identity',
      type: 'identity',
      name: 'keystone',
      endpoints: [endpoint('public', `${base}/identity/v3`), endpoint('internal', `${base}/identity/v3`)],
    },
    {
      id: 'compute',
      type: 'compute',
      name: 'nova',
      endpoints: [
        endpoint('public', `${base}${computePrefixes.public}/v2.1`),
        // The internal endpoint carries the project id, as openstack-helm registers it.
        endpoint('internal', `${base}${computePrefixes.internal}/v2.1/${projectId}`),
        endpoint('admin', `${base}${computePrefixes.admin}/v2.1`),
        endpoint('public', `${base}${computePrefixes.otherRegion}/v2.1`, otherRegion),
      ],
    },
  ];
}
