// A small reader of our own OpenAPI schemas for the unit tests: walks every node, applies defaults as the
// API server does (absent field with a default gets it, then its children are defaulted), and validates a
// value against the keywords we use. It is no substitute for the API server (no CEL); the integration
// test dry-runs the fixtures against a real one.
import type { JSONSchemaProps } from '../../../src/api/schema/openapi.js';

export interface SchemaNode {
  path: string;
  schema: JSONSchemaProps;
  /** How the node hangs off its parent: a named property, an array item or a map value. */
  via: 'root' | 'property' | 'items' | 'additionalProperties';
}

export function walk(schema: JSONSchemaProps, path = ''): SchemaNode[] {
  const nodes: SchemaNode[] = [];
  const visit = (node: JSONSchemaProps, at: string, via: SchemaNode['via']) => {
    nodes.push({ path: at, schema: node, via });
    for (const [name, child] of Object.entries(node.properties ?? {}))
      visit(child, `${at}.${name}`, 'property');
    if (node.items !== undefined) visit(node.items, `${at}[]`, 'items');
    if (node.additionalProperties !== undefined)
      visit(node.additionalProperties, `${at}{}`, 'additionalProperties');
  };
  visit(schema, path, 'root');
  return nodes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function applyDefaults(schema: JSONSchemaProps, value: unknown): unknown {
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = { ...value };
    for (const [name, child] of Object.entries(schema.properties ?? {})) {
      if (result[name] === undefined && child.default !== undefined)
        result[name] = structuredClone(child.default);
      if (result[name] !== undefined) result[name] = applyDefaults(child, result[name]);
    }
    if (schema.additionalProperties !== undefined) {
      for (const [key, child] of Object.entries(result)) {
        result[key] = applyDefaults(schema.additionalProperties, child);
      }
    }
    return result;
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    const items = schema.items;
    return value.map((item) => applyDefaults(items, item));
  }
  return value;
}

function typeErrors(schema: JSONSchemaProps, value: unknown, path: string): string[] {
  if (schema['x-kubernetes-int-or-string'] === true) {
    return Number.isInteger(value) || typeof value === 'string'
      ? []
      : [`${path}: must be an integer or a string`];
  }
  const ok: Record<string, boolean> = {
    object: isPlainObject(value),
    array: Array.isArray(value),
    string: typeof value === 'string',
    integer: Number.isInteger(value),
    number: typeof value === 'number',
    boolean: typeof value === 'boolean',
  };
  return schema.type !== undefined && ok[schema.type] !== true
    ? [`${path}: must be of type ${schema.type}`]
    : [];
}

/** Errors of `value` against the schema keywords we use (everything but CEL and formats). */
export function validate(schema: JSONSchemaProps, value: unknown, path = ''): string[] {
  const errors = typeErrors(schema, value, path);
  if (errors.length > 0) return errors;
  if (schema.enum !== undefined && !schema.enum.includes(value as string)) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      errors.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      errors.push(`${path}: above ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${path}: too short`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${path}: too long`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
      errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      errors.push(`${path}: too many items`);
    const items = schema.items;
    if (items !== undefined)
      value.forEach((item, i) => errors.push(...validate(items, item, `${path}[${i}]`)));
  }
  if (isPlainObject(value)) {
    for (const name of schema.required ?? []) {
      if (value[name] === undefined) errors.push(`${path}.${name}: required`);
    }
    for (const [name, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[name] ?? schema.additionalProperties;
      if (childSchema === undefined) errors.push(`${path}.${name}: unknown field`);
      else errors.push(...validate(childSchema, child, `${path}.${name}`));
    }
    if (schema.maxProperties !== undefined && Object.keys(value).length > schema.maxProperties) {
      errors.push(`${path}: too many properties`);
    }
  }
  return errors;
}
