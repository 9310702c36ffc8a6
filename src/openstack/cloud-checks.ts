// What `doctor check-cloud` verifies, in the order a remediation needs it: Keystone auth, a compute
// endpoint in the catalog, a usable microversion range, the nova-compute services, and the Nova policy
// rules remediation relies on (and, as warnings, those planned maintenance needs to move servers). Each
// check says in plain words what it found or what is wrong. The permission probes change nothing: they
// address a service, host and server that do not exist, so a 403 means the policy refuses the call and
// a 404 means it let the call through to the lookup.
import { errorText } from '../util/error-text.js';
import type { OpenStackClients } from './factory.js';
import {
  forceDownMinimum,
  formatMicroversion,
  liveMigrateArgs,
  negotiate,
  serviceUuidMinimum,
  compareMicroversions,
} from './microversion.js';

export type CheckLevel = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  name: string;
  level: CheckLevel;
  message: string;
}

/** A service id and host that no cloud has: the probes must never touch a real one. */
const absentServiceId = '00000000-d0c7-4000-8000-000000000000';
const absentHost = 'doctor-check-cloud-absent-host';
const absentServerId = '00000000-d0c7-4000-8000-000000000001';

function probeVerdict(
  name: string,
  rule: string,
  status: number,
  apiMessage: string,
  when404: string,
): CheckResult {
  if (status === 403)
    return { name, level: 'fail', message: `refused by Nova's policy rule ${rule}: ${apiMessage}` };
  if (status === 404 || (status >= 200 && status < 300)) return { name, level: 'ok', message: when404 };
  return { name, level: 'fail', message: `unexpected answer HTTP ${status} to the probe: ${apiMessage}` };
}

/**
 * A server action on a server that does not exist. Nova looks the server up before it checks the rule, so
 * a 404 cannot prove the permission: without the admin role the default policy requires, it is a warning.
 */
async function serverActionProbe(
  nova: OpenStackClients['nova'],
  admin: boolean,
  probe: { name: string; rule: string; action: Record<string, unknown> },
): Promise<CheckResult> {
  const { status, message } = await nova.probe('POST', `/servers/${absentServerId}/action`, probe.action);
  const verdict = probeVerdict(
    probe.name,
    probe.rule,
    status,
    message,
    admin
      ? 'not refused; the token has the admin role, which the default policy requires'
      : 'not refused, but Nova checks this rule only against a real server and the token lacks the admin role the default policy requires',
  );
  return verdict.level === 'ok' && !admin ? { ...verdict, level: 'warn' } : verdict;
}

/** A check only planned maintenance needs: a failure is shown as a warning that says so. */
function maintenanceOnly(result: CheckResult): CheckResult {
  if (result.level !== 'fail') return result;
  return { ...result, level: 'warn', message: `${result.message} (planned maintenance cannot move servers)` };
}

async function guarded(name: string, check: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await check();
  } catch (err) {
    return { name, level: 'fail', message: errorText(err) };
  }
}

/** Runs every check in order; stops after a failed auth, catalog or microversion check, which the rest need. */
export async function checkCloud(clients: OpenStackClients): Promise<CheckResult[]> {
  const { cloud, session, nova } = clients;
  const results: CheckResult[] = [];
  const auth = await guarded('keystone', async () => {
    const token = await session.getToken();
    const who = cloud.auth.userName ?? cloud.auth.userId ?? 'an application credential';
    const roles = token.roles.length > 0 ? token.roles.join(', ') : 'none';
    return {
      name: 'keystone',
      level: 'ok',
      message: `authenticated at ${cloud.auth.authUrl} as ${who}, project ${token.projectId ?? '(unscoped)'}, roles: ${roles}`,
    };
  });
  results.push(auth);
  if (auth.level === 'fail') return results;

  const catalog = await guarded('catalog', async () => ({
    name: 'catalog',
    level: 'ok',
    message: `compute endpoint (${cloud.interface}${cloud.regionName !== undefined ? `, ${cloud.regionName}` : ''}): ${await nova.endpoint()}`,
  }));
  results.push(catalog);
  if (catalog.level === 'fail') return results;

  let uuidApi = true;
  let chosenVersion = serviceUuidMinimum;
  const versions = await guarded('microversions', async () => {
    const range = await nova.versionRange();
    const chosen = negotiate(range);
    chosenVersion = chosen;
    const offered =
      range !== undefined ? `${formatMicroversion(range.min)}..${formatMicroversion(range.max)}` : '';
    const legacy = compareMicroversions(chosen, serviceUuidMinimum) < 0;
    uuidApi = !legacy;
    return {
      name: 'microversions',
      level: legacy ? 'warn' : 'ok',
      message: `the cloud offers ${offered}; using ${formatMicroversion(chosen)}${legacy ? ` (below ${formatMicroversion(serviceUuidMinimum)}: force-down by host name, the older API; at least ${formatMicroversion(forceDownMinimum)} is needed)` : ''}`,
    };
  });
  results.push(versions);
  if (versions.level === 'fail') return results;

  results.push(
    await guarded('nova-compute services', async () => {
      const services = await nova.listComputeServices();
      const down = services.filter((s) => s.state === 'down').length;
      const forced = services.filter((s) => s.forcedDown).length;
      if (services.length === 0)
        return {
          name: 'nova-compute services',
          level: 'warn',
          message: 'Nova lists no nova-compute service',
        };
      return {
        name: 'nova-compute services',
        level: 'ok',
        message: `${services.length} listed (${down} down, ${forced} forced down): ${services
          .map((s) => s.host)
          .slice(0, 10)
          .join(', ')}${services.length > 10 ? ', ...' : ''}`,
      };
    }),
  );

  results.push(
    await guarded('force-down permission', async () => {
      const { status, message } = uuidApi
        ? await nova.probe('PUT', `/os-services/${absentServiceId}`, { forced_down: false })
        : await nova.probe('PUT', '/os-services/force-down', {
            host: absentHost,
            binary: 'nova-compute',
            forced_down: false,
          });
      return probeVerdict(
        'force-down permission',
        'os_compute_api:os-services:update',
        status,
        message,
        'allowed (os_compute_api:os-services:update)',
      );
    }),
  );
  results.push(
    await guarded('list servers of all projects', async () => {
      const { status, message } = await nova.probe(
        'GET',
        `/servers/detail?all_tenants=1&host=${absentHost}&limit=1`,
      );
      return probeVerdict(
        'list servers of all projects',
        'os_compute_api:servers:detail:get_all_tenants',
        status,
        message,
        'allowed (os_compute_api:servers:detail:get_all_tenants, os_compute_api:servers:allow_all_filters)',
      );
    }),
  );
  const admin = await session.getToken().then(
    (token) => token.roles.includes('admin'),
    () => false,
  );
  results.push(
    await guarded('reset-state permission', () =>
      serverActionProbe(nova, admin, {
        name: 'reset-state permission',
        rule: 'os_compute_api:os-admin-actions:reset_state',
        action: { 'os-resetState': { state: 'error' } },
      }),
    ),
  );
  // Planned maintenance only: a refusal is a warning, since fault remediation does not need these.
  results.push(
    await guarded('list migrations (maintenance)', async () => {
      const { status, message } = await nova.probe('GET', `/os-migrations?host=${absentHost}`);
      return maintenanceOnly(
        probeVerdict(
          'list migrations (maintenance)',
          'os_compute_api:os-migrations:index',
          status,
          message,
          'allowed (os_compute_api:os-migrations:index)',
        ),
      );
    }),
  );
  for (const [name, rule, action] of [
    [
      'live-migration permission (maintenance)',
      'os_compute_api:os-migrate-server:migrate_live',
      { 'os-migrateLive': liveMigrateArgs(chosenVersion) },
    ],
    [
      'cold-migration permission (maintenance)',
      'os_compute_api:os-migrate-server:migrate',
      { migrate: null },
    ],
  ] as const) {
    results.push(
      await guarded(name, async () =>
        maintenanceOnly(await serverActionProbe(nova, admin, { name, rule, action })),
      ),
    );
  }
  return results;
}
