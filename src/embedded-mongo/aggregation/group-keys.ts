import { ObjectId } from 'bson';
import { isPlainObject, keyOf, type Doc } from '../values.js';
import { truncate } from './dates.js';
import { ObjectIdMap } from './object-keys.js';
import { NotCompiled, compileExpression, dateTruncation, deopt, isNil, type DateTruncation, type Fn, type Scope, type Vars } from './expressions.js';

/**
 * `$group` keys: each document's key is walked down a trie of its values, part by part (and an
 * array element by element), to the node holding its group's number. Strings, numbers and
 * booleans are map keys themselves, so most parts cost one map probe and nothing is built per
 * document (no key string, no array of part ids). Values equal under mingo's grouping (which
 * keeps numbers and Decimal128 apart, as it keeps missing apart from null inside a compound
 * key) reach the same node.
 */

/** What a value id stands for, in its low 3 bits: kinds never share an id. */
const NIL = 0;
const TIME = 2;
const OBJECT_ID = 3;
const KEYED = 4;
/**
 * The n-th id of a kind. Ids stay below 2^30, V8's small integers: a larger number is a heap
 * object, hashed as a double by maps.
 */
const tagged = (n: number, kind: number): number => n * 8 + kind;

/**
 * Small integer ids for the values that are not map keys by themselves: missing and null, dates
 * by time, ObjectIds by their bytes, anything else by `keyOf`.
 */
class ValueIds {
  private readonly byTime = new Map<number, number>();
  private readonly byKey = new Map<string, number>();
  private readonly byObjectId = new ObjectIdMap<number>();
  private objectIds = 0;
  /**
   * Objects already keyed, by identity: one map probe instead of `keyOf` (a string) or a hash of
   * bytes. Stages never modify values, so an object's key cannot change during the run.
   */
  private readonly byObject = new Map<object, number>();

  private static of<K>(map: Map<K, number>, key: K, kind: number): number {
    let id = map.get(key);
    if (id === undefined) {
      id = tagged(map.size, kind);
      map.set(key, id);
    }
    return id;
  }

  /** The id of a date by its time (a date key's, or a truncated date's before its Date is built). */
  time(ms: number): number {
    return ValueIds.of(this.byTime, ms, TIME);
  }

  /** By their bytes: every stored document has its own instances (an array's elements are looked up so). */
  objectIdBytes(id: ObjectId): number {
    let known = this.byObjectId.get(id);
    if (known === undefined) {
      known = tagged(this.objectIds++, OBJECT_ID);
      this.byObjectId.set(id, known);
    }
    return known;
  }

  /** By instance first: a roll-up's anchors are the org units' own ids, the same instances for every row. */
  private objectId(id: ObjectId): number {
    let known = this.byObject.get(id);
    if (known === undefined) {
      known = this.objectIdBytes(id);
      this.byObject.set(id, known);
    }
    return known;
  }

  /**
   * Any value but strings, numbers and booleans. `documents`: whether a document (or an array
   * holding one) may be keyed here; a compound key's parts may not (mingo compares those
   * field-order-blind: left to it).
   */
  id(value: unknown, documents: boolean): number {
    if (value === undefined) return tagged(0, NIL);
    if (value === null) return tagged(1, NIL);
    if (value instanceof Date) return this.time(value.getTime());
    if (value instanceof ObjectId) return this.objectId(value);
    const known = this.byObject.get(value as object);
    if (known !== undefined) return known;
    // Checked when first seen only: later rows holding the same instance are not checked again.
    if (!documents && hasDocuments(value as object)) deopt();
    const id = ValueIds.of(this.byKey, keyOf(value), KEYED);
    this.byObject.set(value as object, id);
    return id;
  }
}

/** A node of the key trie: the values of a key so far; `group` when a key ends here. */
class KeyNode {
  /** Strings, numbers and booleans: by value, as a Map compares them. */
  values: Map<unknown, KeyNode> | undefined = undefined;
  /** Other values by their ValueIds id. */
  ids: Map<number, KeyNode> | undefined = undefined;
  /** Arrays of strings, numbers, booleans and ObjectIds: by length, then element by element. */
  arrays: Map<number, KeyNode> | undefined = undefined;
  group = -1;
}

function child<K>(map: Map<K, KeyNode>, key: K): KeyNode {
  let node = map.get(key);
  if (!node) {
    node = new KeyNode();
    map.set(key, node);
  }
  return node;
}

function isElementKey(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || value instanceof ObjectId;
}

function allElementKeys(values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) if (!isElementKey(values[i])) return false;
  return true;
}

/** Group numbers by key, 0, 1, 2… in the order the keys are first seen. */
class KeyTrie {
  readonly root = new KeyNode();
  private readonly ids = new ValueIds();
  private groups = 0;

  /**
   * The node after `value`. An array of element keys (a resource's categories, its org units)
   * goes by its elements: every stored document has its own array instance, and `keyOf` would
   * build a key string for each. Other arrays go by `keyOf` (ValueIds), so the two never meet.
   */
  next(node: KeyNode, value: unknown, documents: boolean): KeyNode {
    const type = typeof value;
    if (type === 'string' || type === 'number' || type === 'boolean') return child((node.values ??= new Map()), value);
    if (Array.isArray(value) && allElementKeys(value)) {
      let at = child((node.arrays ??= new Map()), value.length);
      for (let i = 0; i < value.length; i++) {
        const element: unknown = value[i];
        at = element instanceof ObjectId ? child((at.ids ??= new Map()), this.ids.objectIdBytes(element)) : child((at.values ??= new Map()), element);
      }
      return at;
    }
    return child((node.ids ??= new Map()), this.ids.id(value, documents));
  }

  /** The node after a date given by its time. */
  nextTime(node: KeyNode, ms: number): KeyNode {
    return child((node.ids ??= new Map()), this.ids.time(ms));
  }

  /** The group number of the key ending at `node`. */
  group(node: KeyNode): number {
    if (node.group < 0) node.group = this.groups++;
    return node.group;
  }
}

/** The group key of a document and, for a new group, its `_id`. */
export interface GroupKey {
  /** The group's number: 0, 1, 2… in the order the groups are first seen. */
  key(doc: Doc, vars: Vars): number;
  /** The `_id` of the group whose key was computed last. */
  id(): unknown;
}

/** A compound `_id` (a document of expressions) is keyed part by part, without building the document for every input. */
export function groupKey(expr: unknown, scope: Scope): GroupKey {
  const keys = new KeyTrie();
  const parts = isPlainObject(expr) && Object.keys(expr).length > 0 && !Object.keys(expr).some((key) => key.startsWith('$')) ? Object.keys(expr) : undefined;
  if (!parts) {
    const fn = compileExpression(expr, scope);
    let last: unknown;
    return {
      key(doc, vars) {
        // A missing key groups with null, as in MongoDB.
        last = fn(doc, vars) ?? null;
        if (isPlainObject(last) && hasEmbeddedDocuments(last)) deopt();
        return keys.group(keys.next(keys.root, last, true));
      },
      id: () => last,
    };
  }
  const keyParts = parts.map((part) => truncatedDatePart((expr as Doc)[part], scope) ?? expressionPart(compileExpression((expr as Doc)[part], scope)));
  return {
    key(doc, vars) {
      let node = keys.root;
      for (let i = 0; i < keyParts.length; i++) node = keyParts[i]!.next(node, doc, vars, keys);
      return keys.group(node);
    },
    id() {
      const id: Doc = {};
      parts.forEach((part, i) => {
        id[part] = keyParts[i]!.value();
      });
      return id;
    },
  };
}

/** A part of a compound group key: the trie node after a document's value, and the last value (for a new group's `_id`). */
interface KeyPart {
  next(node: KeyNode, doc: Doc, vars: Vars, keys: KeyTrie): KeyNode;
  value(): unknown;
}

function expressionPart(fn: Fn): KeyPart {
  let last: unknown;
  return {
    next(node, doc, vars, keys) {
      last = fn(doc, vars);
      return keys.next(node, last, false);
    },
    value: () => last,
  };
}

/**
 * A `$dateTrunc` part with a literal unit, zone and week start (a report's time bucket): keyed by
 * the bucket's start time, its Date built only for a new group's `_id`. Mirrors the compiled
 * operator (expressions.ts): null for a missing or null date, mingo's answer for anything else.
 */
function truncatedDatePart(expr: unknown, scope: Scope): KeyPart | undefined {
  const spec: unknown = isPlainObject(expr) && Object.keys(expr).length === 1 ? expr.$dateTrunc : undefined;
  if (spec === undefined) return undefined;
  let truncation: DateTruncation;
  try {
    truncation = dateTruncation(spec, scope);
  } catch (error) {
    if (error instanceof NotCompiled) return undefined;
    throw error;
  }
  const { date: read, unit, weekStart, fixedZone: zone } = truncation;
  if (!zone) return undefined;
  let last: number | null = null;
  return {
    next(node, doc, vars, keys) {
      const value = read(doc, vars);
      if (isNil(value)) {
        last = null;
        return keys.next(node, null, false);
      }
      if (!(value instanceof Date)) deopt();
      last = truncate(value.getTime(), unit, zone, weekStart);
      return keys.nextTime(node, last);
    },
    value: () => (last === null ? null : new Date(last)),
  };
}

/** A compound key's part that is a document, or an array holding one (see ValueIds.id). */
function hasDocuments(value: object): boolean {
  return isPlainObject(value) || (Array.isArray(value) && value.some(isPlainObject));
}

/** Keys that are documents inside documents compare field-order-blind in mingo: left to it. */
function hasEmbeddedDocuments(value: Doc): boolean {
  return Object.values(value).some((inner) => isPlainObject(inner) || (Array.isArray(inner) && inner.some(isPlainObject)));
}
