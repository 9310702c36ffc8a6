// The subset of OpenAPI v3 (as apiextensions.k8s.io/v1 JSONSchemaProps) that our CRD schemas use, with
// the wire names kept (x-kubernetes-*), plus small builders so each schema file reads like the API.
// Builders append "Default: X." to descriptions so `kubectl explain` shows defaults from one source.

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

/** One CEL rule (x-kubernetes-validations). `fieldPath` points the error at a child field. */
export interface ValidationRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

export interface JSONSchemaProps {
  type?: SchemaType;
  description?: string;
  format?: string;
  default?: unknown;
  enum?: (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  required?: string[];
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps;
  items?: JSONSchemaProps;
  nullable?: boolean;
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
}

/** Schema keywords a builder may add besides type and description. */
export type SchemaOptions = Omit<JSONSchemaProps, 'type' | 'description' | 'properties' | 'items'>;

function describe(description: string, options: SchemaOptions): string {
  const text = description.trim();
  const value = options.default;
  // Object defaults ({}) only exist to let nested defaults apply; they say nothing useful to a reader.
  if (value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value))) {
    return text;
  }
  return `${text} Default: ${JSON.stringify(value)}.`;
}

export function str(description: string, options: SchemaOptions = {}): JSONSchemaProps {
  return { type: 'string', description: describe(description, options), ...options };
}

export function int(description: string, options: SchemaOptions = {}): JSONSchemaProps {
  return { type: 'integer', description: describe(description, options), ...options };
}

export function num(description: string, options: SchemaOptions = {}): JSONSchemaProps {
  return { type: 'number', description: describe(description, options), ...options };
}

export function bool(description: string, options: SchemaOptions = {}): JSONSchemaProps {
  return { type: 'boolean', description: describe(description, options), ...options };
}

export function obj(
  description: string,
  properties: Record<string, JSONSchemaProps>,
  options: SchemaOptions = {},
): JSONSchemaProps {
  return { type: 'object', description: describe(description, options), properties, ...options };
}

/**
 * An object that is defaulted as a whole when absent, to the defaults of its fields. The API server
 * validates a default (CEL rules included) before nested defaults would fill it in, so `default: {}` is not
 * enough for an object whose rules read its fields.
 */
export function defaultedObj(
  description: string,
  properties: Record<string, JSONSchemaProps>,
  options: Omit<SchemaOptions, 'default'> = {},
): JSONSchemaProps {
  const defaults = Object.fromEntries(
    Object.entries(properties)
      .filter(([, schema]) => schema.default !== undefined)
      .map(([name, schema]) => [name, schema.default]),
  );
  return obj(description, properties, { ...options, default: defaults });
}

export function arr(
  description: string,
  items: JSONSchemaProps,
  options: SchemaOptions = {},
): JSONSchemaProps {
  return { type: 'array', description: describe(description, options), items, ...options };
}

/** A string-valued map (additionalProperties), like metadata labels. */
export function stringMap(description: string, values: JSONSchemaProps, options: SchemaOptions = {}) {
  return {
    type: 'object' as const,
    description: describe(description, options),
    additionalProperties: values,
    ...options,
  };
}

/** An RFC 3339 time written by the operator. */
export function time(description: string): JSONSchemaProps {
  return str(description, { format: 'date-time' });
}
