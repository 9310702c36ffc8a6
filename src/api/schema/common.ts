// Schemas shared by FaultPolicy and HostHealth: Kubernetes name formats, label selectors, Secret
// references and metav1.Condition. Regular expressions avoid backslashes ([.] instead of \.) so they read
// the same in TypeScript, YAML and CEL string literals.
import { arr, int, obj, str, stringMap, time, type JSONSchemaProps } from './openapi.js';

/** RFC 1123 DNS subdomain: names of Secrets and most Kubernetes objects. */
export const dnsSubdomainPattern = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** RFC 1123 DNS label: short names that may become parts of other names. */
export const dnsLabelPattern = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A label key: optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
export const labelKeyPattern =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
/** Prefix (253) + '/' + name (63). */
export const labelKeyMaxLength = 317;
/** A label value: empty, or at most 63 alphanumerics with '-', '_' and '.' inside. */
export const labelValuePattern = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
/** A key inside a Secret's data. */
export const secretKeyPattern = '^[-._a-zA-Z0-9]+$';

export function labelKey(description: string): JSONSchemaProps {
  return str(description, { maxLength: labelKeyMaxLength, pattern: labelKeyPattern });
}

export function labelValue(description: string): JSONSchemaProps {
  return str(description, { maxLength: 63, pattern: labelValuePattern });
}

const selectorRequirement = obj(
  'A requirement on one label: the key, an operator and, for In and NotIn, the values.',
  {
    key: labelKey('The label key the requirement applies to.'),
    operator: str('How the label relates to the values.', {
      enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'],
    }),
    values: arr(
      'Label values. Non-empty for In and NotIn; must be empty or absent for Exists and DoesNotExist.',
      labelValue('A label value.'),
      { maxItems: 64, 'x-kubernetes-list-type': 'atomic' },
    ),
  },
  {
    required: ['key', 'operator'],
    'x-kubernetes-validations': [
      {
        rule: "self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)",
        message:
          'values must be non-empty when operator is In or NotIn, and empty when it is Exists or DoesNotExist',
        fieldPath: '.values',
      },
    ],
  },
);

/** A metav1.LabelSelector that must select something explicitly. */
export function labelSelector(description: string): JSONSchemaProps {
  return obj(
    description,
    {
      matchLabels: stringMap(
        'Labels the object must carry, key to value. ANDed with matchExpressions.',
        labelValue('The required label value.'),
        {
          maxProperties: 32,
          'x-kubernetes-validations': [
            {
              // Map keys have no schema of their own; CEL is the only place to check them.
              rule: `self.all(k, k.size() <= ${labelKeyMaxLength} && k.matches('${labelKeyPattern}'))`,
              message:
                "every matchLabels key must be a label key: an optional DNS subdomain prefix and '/', then up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
            },
          ],
        },
      ),
      matchExpressions: arr(
        'Label requirements, all of which must hold. ANDed with matchLabels.',
        selectorRequirement,
        {
          maxItems: 16,
          'x-kubernetes-list-type': 'atomic',
        },
      ),
    },
    {
      'x-kubernetes-map-type': 'atomic',
      'x-kubernetes-validations': [
        {
          // An empty selector selects every node, control-plane nodes included: never what a fault policy means.
          rule: '(has(self.matchLabels) && size(self.matchLabels) > 0) || (has(self.matchExpressions) && size(self.matchExpressions) > 0)',
          message:
            'must name at least one label in matchLabels or matchExpressions: an empty selector would select every node',
        },
      ],
    },
  );
}

/** A reference to one key of a Secret in the operator's own namespace. */
export function secretKeyRef(description: string, defaultKey?: string): JSONSchemaProps {
  const keyDescription = 'The key inside the Secret whose value is used.';
  return obj(
    `${description} The Secret lives in the operator's namespace.`,
    {
      name: str('Name of the Secret.', { minLength: 1, maxLength: 253, pattern: dnsSubdomainPattern }),
      key: str(keyDescription, {
        minLength: 1,
        maxLength: 253,
        pattern: secretKeyPattern,
        ...(defaultKey === undefined ? {} : { default: defaultKey }),
      }),
    },
    { required: defaultKey === undefined ? ['name', 'key'] : ['name'] },
  );
}

/** Standard conditions (metav1.Condition), keyed by type. */
export function conditions(description: string): JSONSchemaProps {
  return arr(
    description,
    obj(
      'One aspect of the current state, as Kubernetes conditions are written everywhere.',
      {
        type: str('Condition type in CamelCase, such as Ready.', {
          minLength: 1,
          maxLength: 316,
          pattern:
            '^([a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
        }),
        status: str('Whether the condition holds.', { enum: ['True', 'False', 'Unknown'] }),
        reason: str('A CamelCase word saying why the condition has its status; stable, for tools.', {
          minLength: 1,
          maxLength: 1024,
          pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
        }),
        message: str('Details for people: what happened and what to do.', { maxLength: 32768 }),
        lastTransitionTime: time('When the status last changed.'),
        observedGeneration: int('The metadata.generation the condition was computed from.', {
          format: 'int64',
          minimum: 0,
        }),
      },
      { required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'] },
    ),
    {
      maxItems: 16,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    },
  );
}

export function observedGeneration(): JSONSchemaProps {
  return int('The metadata.generation of the spec this status was computed from.', {
    format: 'int64',
    minimum: 0,
  });
}
