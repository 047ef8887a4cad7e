/** The part of JSON Schema (draft 2020-12, as zod writes it) the form renderer understands. */
export interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
}

export function asSchema(value: unknown): JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonSchema) : {};
}

/** Follows local `#/$defs/…` references. */
export function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let depth = 0; current.$ref && depth < 10; depth += 1) {
    const name = current.$ref.replace(/^#\/\$defs\//, '');
    const target = root.$defs?.[name];
    if (!target) return {};
    const { $ref: _ref, ...rest } = current;
    current = { ...target, ...rest };
  }
  return current;
}

export function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null');
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.enum) return 'string';
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** For `oneOf` branches told apart by a `const` property (auth: { type: 'none' | 'bearer' … }). */
export function discriminatorOf(branches: JsonSchema[], root: JsonSchema): string | null {
  const first = resolve(branches[0] ?? {}, root);
  for (const name of Object.keys(first.properties ?? {})) {
    if (branches.every((branch) => resolve(branch, root).properties?.[name]?.const !== undefined)) return name;
  }
  return null;
}

/** A value holding the schema's defaults, for a new form. */
export function defaultsOf(schema: JsonSchema, root: JsonSchema = schema): unknown {
  const resolved = resolve(schema, root);
  if (resolved.default !== undefined) return structuredClone(resolved.default);
  if (resolved.const !== undefined) return resolved.const;
  if (typeOf(resolved) === 'object' && resolved.properties) {
    const value: Record<string, unknown> = {};
    for (const [name, property] of Object.entries(resolved.properties)) {
      const child = defaultsOf(property, root);
      if (child !== undefined) value[name] = child;
    }
    return value;
  }
  const branches = resolved.oneOf ?? resolved.anyOf;
  if (branches?.[0] && discriminatorOf(branches, root)) return defaultsOf(branches[0], root);
  return undefined;
}

/** Required fields left empty, as dotted paths (the hub checks the rest). */
export function missingRequired(schema: JsonSchema, value: unknown, root: JsonSchema = schema, path = ''): string[] {
  const resolved = resolve(schema, root);
  const missing: string[] = [];
  const branches = resolved.oneOf ?? resolved.anyOf;
  if (branches && isPlainObject(value)) {
    const discriminator = discriminatorOf(branches, root);
    const branch = discriminator ? branches.find((candidate) => resolve(candidate, root).properties?.[discriminator]?.const === value[discriminator]) : undefined;
    if (branch) return missingRequired(branch, value, root, path);
  }
  if (!resolved.properties || !isPlainObject(value)) return missing;
  for (const [name, property] of Object.entries(resolved.properties)) {
    const child = value[name];
    const childPath = path ? `${path}.${name}` : name;
    const empty = child === undefined || child === null || child === '';
    if (empty && resolved.required?.includes(name) && resolve(property, root).default === undefined) missing.push(childPath);
    else if (!empty) missing.push(...missingRequired(property, child, root, childPath));
  }
  return missing;
}
