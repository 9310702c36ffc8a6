// Small JSON-schema-like checks that produce Nova's validation messages, so bad bodies get the same 400
// a real Nova gives ("Invalid input for field/attribute ...", "Additional properties are not allowed").

export class ValidationError extends Error {}

export type FieldType = 'string' | 'boolean' | 'object';

export interface FieldRule {
  type: FieldType;
  enum?: string[];
  minLength?: number;
  maxLength?: number;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks `body` against the rules; throws ValidationError naming the first bad field. */
export function validateObject(
  body: unknown,
  rules: Record<string, FieldRule>,
  required: string[],
  where = 'body',
): Record<string, unknown> {
  if (!isObject(body))
    throw new ValidationError(`Invalid input for field/attribute ${where}. Value must be an object.`);
  for (const key of Object.keys(body)) {
    if (!(key in rules)) {
      throw new ValidationError(`Additional properties are not allowed ('${key}' was unexpected)`);
    }
  }
  for (const key of required) {
    if (!(key in body)) throw new ValidationError(`'${key}' is a required property`);
  }
  for (const [key, rule] of Object.entries(rules)) {
    if (!(key in body)) continue;
    const value = body[key];
    const bad = (why: string): never => {
      throw new ValidationError(
        `Invalid input for field/attribute ${key}. Value: ${JSON.stringify(value)}. ${why}`,
      );
    };
    if (rule.type === 'object' ? !isObject(value) : typeof value !== rule.type)
      bad(`must be of type ${rule.type}`);
    if (typeof value === 'string') {
      if (rule.enum !== undefined && !rule.enum.includes(value))
        bad(`is not one of ${JSON.stringify(rule.enum)}`);
      if (rule.minLength !== undefined && value.length < rule.minLength) bad('is too short');
      if (rule.maxLength !== undefined && value.length > rule.maxLength) bad('is too long');
    }
  }
  return body;
}

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
