// OpenAPI schema of planned maintenance: the FaultPolicy settings, the HostHealth spec fields an
// administrator sets, and the workflow's durable record in HostHealth status (what a restarted operator
// resumes from).
import {
  maintenanceSteps,
  migrationModes,
  maintenancePhases,
  serverMaintenanceStates,
} from '../maintenance-types.js';
import { arr, bool, defaultedObj, int, obj, str, time, type JSONSchemaProps } from './openapi.js';

export const maintenancePolicy = defaultedObj('Planned maintenance of the selected hosts.', {
  followNodeCordon: bool(
    'Cordoning a Node (kubectl cordon or drain) starts maintenance of its host; uncordoning ends it (unless spec.maintenance.enabled of its HostHealth is still set).',
    { default: true },
  ),
  maxParallelMigrations: int('Migrations in flight at once on one host.', {
    default: 8,
    minimum: 1,
    maximum: 64,
  }),
  migrationTimeoutSeconds: int(
    'Longest wait for one migration to end in Nova; then it is recorded as failed.',
    {
      default: 900,
      minimum: 10,
      maximum: 86_400,
    },
  ),
});

export const hostMaintenanceFields: Record<string, JSONSchemaProps> = {
  maxWaitSeconds: int(
    'How long consumers have to answer the maintenance notification (ACK or NACK per server) before the servers are moved without their answer.',
    { default: 60, minimum: 0, maximum: 3600 },
  ),
  migration: str(
    'How servers leave the host: live (os-migrateLive), cold (migrate, then confirmResize) or none (left where they are; the host is reported empty only when it is).',
    { default: 'live', enum: [...migrationModes] },
  ),
};

const step = (what: string): JSONSchemaProps =>
  obj(`Outcome of the maintenance step that ${what}.`, {
    state: str('Running, Done, Failed or Skipped.', { enum: ['Running', 'Done', 'Failed', 'Skipped'] }),
    attempts: int('Attempts so far.', { minimum: 0 }),
    message: str('What happened last, for people.', { maxLength: 1024 }),
    time: time('When the state or message last changed.'),
  });

const stepTexts: Record<(typeof maintenanceSteps)[number], string> = {
  disableService: 'disables the nova-compute service with a reason',
  notify: 'tells every consumer about each server on the host (maintenance.scheduled)',
  answers: "waits for the consumers' answers or maxWaitSeconds",
  migrate: 'moves the servers off the host',
  reportEmpty: 'reports the host empty (ReadyForMaintenance)',
  enableService: 'enables the nova-compute service again when maintenance ends',
  notifyComplete: 'tells the consumers that maintenance is complete',
};

const server = obj('One server of the host under maintenance and what was done with it.', {
  id: str('Nova server id.'),
  name: str('Nova server name.'),
  project: str('The Nova project (tenant) owning it.'),
  answer: str('The consumer answer: ACK (may be moved) or NACK (must not be).', { enum: ['ACK', 'NACK'] }),
  answeredBy: str('The consumer (notify target name) that answered.'),
  action: str('What is done: live or cold migration, or none (left on the host).', {
    enum: [...migrationModes],
  }),
  state: str(
    'Pending, Migrating, Migrated, Failed (the migration errored or timed out), Refused (a consumer answered NACK) or Left (action none).',
    { enum: [...serverMaintenanceStates] },
  ),
  migrationId: str('The Nova migration followed for it.'),
  toHost: str('The host it moved to.'),
  message: str('What happened, for people.', { maxLength: 1024 }),
  time: time('When its state last changed.'),
});

export const maintenanceStatus = obj(
  'The planned maintenance workflow of this host: started by spec.maintenance.enabled or a cordoned Node, recorded step by step so a restarted operator resumes it.',
  {
    sessionId: str('Identifies this maintenance in notifications, answers and Events.'),
    trigger: str('What started it.', { enum: ['spec', 'cordon', 'both'] }),
    phase: str('Where the workflow is.', { enum: [...maintenancePhases] }),
    startedTime: time('When it started.'),
    answersDeadline: time('When answers stop being waited for.'),
    hostEmptyTime: time('When the host was reported empty.'),
    completedTime: time('When maintenance ended (service enabled, completion sent).'),
    serviceWasDown: bool(
      'nova-compute was already disabled or forced down when maintenance began (remediation of a fault, an administrator): it is left so when maintenance ends.',
    ),
    steps: obj(
      'One record per step.',
      Object.fromEntries(maintenanceSteps.map((name) => [name, step(stepTexts[name])])),
    ),
    servers: arr('The servers that were on the host when maintenance started.', server, {
      maxItems: 2000,
      'x-kubernetes-list-type': 'atomic',
    }),
  },
  { required: ['sessionId', 'trigger', 'phase', 'startedTime'] },
);
