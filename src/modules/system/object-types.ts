import type { TObject, TSchema } from 'typebox';

/**
 * `/object?type=` describes an object from the very schema that validates and documents it, so the
 * three cannot drift apart.
 */
export type ObjectTypes = ReadonlyMap<string, TObject>;

export interface PropertyDescription {
  property: string;
  datatype: string;
  description: string;
}

type Described = TSchema & {
  type?: string;
  anyOf?: Described[];
  description?: string;
  maxLength?: number;
  'x-datatype'?: string;
};

function datatypeOf(schema: Described): string {
  if (schema['x-datatype']) return schema['x-datatype'];
  if (schema.anyOf) {
    const member = schema.anyOf.find((s) => s.type !== 'null');
    return member ? datatypeOf(member) : 'null';
  }
  if (schema.type === 'number') return 'decimal';
  return schema.type ?? 'object';
}

export function describeObject(schema: TObject): PropertyDescription[] {
  return Object.entries(schema.properties as Record<string, Described>).map(([property, field]) => ({
    property,
    datatype: datatypeOf(field),
    // The object has no column for a limit, so the description carries it: a client should learn it here, not from a refusal.
    description: [field.description, field.maxLength === undefined ? undefined : `At most ${field.maxLength} characters.`]
      .filter((part) => part !== undefined)
      .join(' '),
  }));
}
