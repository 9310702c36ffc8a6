// A consumer's answer to maintenance.scheduled, Fenix-style: ACK_PLANNED_MAINTENANCE or
// NACK_PLANNED_MAINTENANCE for the servers it names (all it was told about when it names none), with an
// optional action per server. Parsed from hostile bytes: sizes, counts and every value are checked, and
// a bad answer is refused as a whole with a message naming the problem.
import type { MigrationMode } from '../api/maintenance-types.js';

export const maxAnswerBytes = 64 * 1024;
export const maxAnswerServers = 2000;

export interface MaintenanceAnswer {
  sessionId: string;
  verdict: 'ACK' | 'NACK';
  /** Undefined: every server the consumer was told about. */
  serverIds?: string[];
  /** Per server, what to do instead of the host's migration mode (ACK only). */
  actions: Record<string, MigrationMode>;
}

export class AnswerError extends Error {}

const actionModes: Record<string, MigrationMode> = {
  LIVE_MIGRATE: 'live',
  MIGRATE: 'cold',
  OWN_ACTION: 'none',
};

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const knownFields = new Set(['session_id', 'state', 'instance_ids', 'instance_actions']);

function checkId(value: unknown, where: string): string {
  if (typeof value !== 'string' || !idPattern.test(value)) {
    throw new AnswerError(`${where} must be a server id (letters, digits, '.', '_', ':', '-'; at most 64)`);
  }
  return value;
}

export function parseAnswer(body: unknown): MaintenanceAnswer {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AnswerError('the answer must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!knownFields.has(key)) throw new AnswerError(`unknown field ${JSON.stringify(key.slice(0, 64))}`);
  }
  const sessionId = fields.session_id;
  if (typeof sessionId !== 'string' || sessionId === '' || sessionId.length > 253) {
    throw new AnswerError('session_id must be the session id of the notification');
  }
  let verdict: 'ACK' | 'NACK';
  if (fields.state === 'ACK_PLANNED_MAINTENANCE') verdict = 'ACK';
  else if (fields.state === 'NACK_PLANNED_MAINTENANCE') verdict = 'NACK';
  else throw new AnswerError('state must be ACK_PLANNED_MAINTENANCE or NACK_PLANNED_MAINTENANCE');
  const answer: MaintenanceAnswer = { sessionId, verdict, actions: {} };
  if (fields.instance_ids !== undefined) {
    const ids = fields.instance_ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > maxAnswerServers) {
      throw new AnswerError(`instance_ids must be a list of 1 to ${maxAnswerServers} server ids`);
    }
    answer.serverIds = [...new Set(ids.map((id, i) => checkId(id, `instance_ids[${i}]`)))];
  }
  if (fields.instance_actions !== undefined) {
    const actions = fields.instance_actions;
    if (actions === null || typeof actions !== 'object' || Array.isArray(actions)) {
      throw new AnswerError('instance_actions must be an object of server id to action');
    }
    const entries = Object.entries(actions as Record<string, unknown>);
    if (entries.length > maxAnswerServers) {
      throw new AnswerError(`instance_actions may name at most ${maxAnswerServers} servers`);
    }
    if (verdict === 'NACK' && entries.length > 0) {
      throw new AnswerError('instance_actions go with ACK_PLANNED_MAINTENANCE only');
    }
    for (const [id, action] of entries) {
      checkId(id, 'an instance_actions key');
      const mode = typeof action === 'string' ? actionModes[action] : undefined;
      if (mode === undefined) {
        throw new AnswerError(
          `instance_actions[${id}] must be one of ${Object.keys(actionModes).join(', ')}`,
        );
      }
      answer.actions[id] = mode;
    }
  }
  return answer;
}
