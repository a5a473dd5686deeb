import { RedactionAction } from '../config';
import { AnyValue, KeyValue, SpanBatch } from '../otlp/model';
import { markResourceModified, markSpanModified } from '../otlp/wire';
import {
  canonical,
  CompiledRule,
  compileRules,
  DEFAULT_SANITIZER_RULES,
  MASK,
  redact,
  SanitizerRule,
  sha256,
} from './sanitizerRules';

export { DEFAULT_SANITIZER_RULES, MASK, passesLuhn } from './sanitizerRules';
export type { SanitizerRule } from './sanitizerRules';

/** Where a redaction happened: in attributes, or in a span's free text (value rules only). */
export type AttributeLocation =
  | 'resource'
  | 'scope'
  | 'span'
  | 'event'
  | 'link'
  | 'span_name'
  | 'status_message'
  | 'event_name'
  | 'scope_name'
  | 'scope_version'
  | 'trace_state';

type AttributesLocation = 'resource' | 'scope' | 'span' | 'event' | 'link';

export const REDACTED_COUNT_ATTRIBUTE = 'tracing_health.redacted_count';

interface KeyMatch {
  /** A key-only rule: acts on the whole value. */
  whole?: CompiledRule;
  /** Key-and-value rules whose key matched: act on value matches under this key only. */
  scoped: CompiledRule[];
}

const NO_KEY_MATCH: KeyMatch = { scoped: [] };

/**
 * What the sanitizer saw at each attribute position last time, per location: spans from one
 * instrumentation repeat their keys (and many values) in the same order, and comparing with the
 * previous string is cheaper than hashing it or running the value patterns again.
 */
interface RecentAttributes {
  keys: string[];
  matches: KeyMatch[];
  /** A string value found clean at that position (undefined when unknown). */
  cleanValues: (string | undefined)[];
}
const RECENT_POSITIONS = 64;
const KEY_CACHE_LIMIT = 10_000;
const MAX_DEPTH = 16;
const NOTHING = { count: 0, remove: false } as const;

export interface SanitizerOptions {
  rules: SanitizerRule[];
  useDefaults: boolean;
  /** Called once per redaction; never receives the redacted value. */
  onRedaction?: (action: RedactionAction, location: AttributeLocation) => void;
}

/**
 * Redacts secrets from resource, scope, span, event and link attributes (recursing into array and
 * kvlist values), like the Collector's redaction processor. Mutates the batch in place and marks
 * touched ResourceSpans modified; allocates nothing for attributes no rule matches.
 */
export class Sanitizer {
  private readonly keyRules: CompiledRule[];
  private readonly valueRules: CompiledRule[];
  /** One case-insensitive alternation of the value rules' hints (or patterns): a cheap "might match" test. */
  private readonly anyValuePattern?: { test(text: string): boolean };
  private readonly keyCache = new Map<string, KeyMatch>();
  private readonly recent: Record<AttributesLocation, RecentAttributes> = {
    resource: { keys: [], matches: [], cleanValues: [] },
    scope: { keys: [], matches: [], cleanValues: [] },
    span: { keys: [], matches: [], cleanValues: [] },
    event: { keys: [], matches: [], cleanValues: [] },
    link: { keys: [], matches: [], cleanValues: [] },
  };
  private readonly onRedaction: NonNullable<SanitizerOptions['onRedaction']>;

  constructor(options: SanitizerOptions) {
    const compiled = compileRules([
      ...(options.useDefaults ? DEFAULT_SANITIZER_RULES : []),
      ...options.rules,
    ]);
    this.keyRules = compiled.keyRules;
    this.valueRules = compiled.valueRules;
    this.anyValuePattern = compiled.anyValuePattern;
    this.onRedaction = options.onRedaction ?? (() => {});
  }

  /** Sanitizes the batch in place; returns the number of redactions. */
  process(batch: SpanBatch): number {
    let total = 0;
    for (const rs of batch.resourceSpans) {
      let inHeaders = this.attributes(rs.resource?.attributes, 'resource', 0);
      for (const ss of rs.scopeSpans ?? []) {
        const scope = ss.scope;
        if (scope) {
          inHeaders += this.attributes(scope.attributes, 'scope', 0);
          const scopeName = this.freeText(scope.name, 'scope_name');
          if (scopeName !== undefined) {
            scope.name = scopeName.text;
            inHeaders += scopeName.count;
          }
          const version = this.freeText(scope.version, 'scope_version');
          if (version !== undefined) {
            scope.version = version.text;
            inHeaders += version.count;
          }
        }
        for (const span of ss.spans ?? []) {
          let inSpan = this.attributes(span.attributes, 'span', 0);
          const traceState = this.freeText(span.traceState, 'trace_state');
          if (traceState !== undefined) {
            span.traceState = traceState.text;
            inSpan += traceState.count;
          }
          for (const event of span.events ?? []) {
            inSpan += this.attributes(event.attributes, 'event', 0);
            const eventName = this.freeText(event.name, 'event_name');
            if (eventName !== undefined) {
              event.name = eventName.text;
              inSpan += eventName.count;
            }
          }
          const name = this.freeText(span.name, 'span_name');
          if (name !== undefined) {
            span.name = name.text;
            inSpan += name.count;
          }
          const message = this.freeText(span.status?.message, 'status_message');
          if (message !== undefined) {
            span.status!.message = message.text;
            inSpan += message.count;
          }
          for (const link of span.links ?? []) {
            inSpan += this.attributes(link.attributes, 'link', 0);
            const linkState = this.freeText(link.traceState, 'trace_state');
            if (linkState !== undefined) {
              link.traceState = linkState.text;
              inSpan += linkState.count;
            }
          }
          if (inSpan > 0) {
            setRedactedCount(span, inSpan);
            markSpanModified(rs, span);
            total += inSpan;
          }
        }
      }
      if (inHeaders > 0) {
        markResourceModified(rs);
        total += inHeaders;
      }
    }
    return total;
  }

  private keyMatch(key: string): KeyMatch {
    let match = this.keyCache.get(key);
    if (match) return match;
    match = NO_KEY_MATCH;
    for (const rule of this.keyRules) {
      if (!rule.key!.test(key)) continue;
      if (match === NO_KEY_MATCH) match = { scoped: [] };
      if (rule.value) match.scoped.push(rule);
      else match.whole ??= rule;
    }
    if (this.keyCache.size >= KEY_CACHE_LIMIT) this.keyCache.clear();
    this.keyCache.set(key, match);
    return match;
  }

  private redacted(action: RedactionAction, location: AttributeLocation): void {
    this.onRedaction(action, location);
  }

  /**
   * The value rules on text outside attributes (span and event names, status messages), where
   * secrets arrive through exception messages and names built from URLs. A `delete` rule masks
   * the whole text, which cannot be removed. Undefined when nothing matched.
   */
  private freeText(
    text: string | null | undefined,
    location: AttributeLocation,
  ): { text: string; count: number } | undefined {
    if (!text || !this.anyValuePattern?.test(text)) return undefined;
    const r = this.applyValueRules(text, this.valueRules, location);
    if (r.count === 0) return undefined;
    return { text: r.remove ? MASK : r.text, count: r.count };
  }

  /** Returns the number of redactions; deletes attributes in place. */
  private attributes(
    attrs: KeyValue[] | null | undefined,
    location: AttributesLocation,
    depth: number,
  ): number {
    if (!attrs || attrs.length === 0) return 0;
    let count = 0;
    let deleted = 0;
    const recent = depth === 0 ? this.recent[location] : undefined;
    for (let i = 0; i < attrs.length; i++) {
      const kv = attrs[i];
      const key = kv.key ?? '';
      const remembered = recent !== undefined && i < RECENT_POSITIONS;
      let match: KeyMatch;
      if (remembered && recent.keys[i] === key) {
        match = recent.matches[i];
      } else {
        match = this.keyMatch(key);
        if (remembered) {
          recent.keys[i] = key;
          recent.matches[i] = match;
          recent.cleanValues[i] = undefined;
        }
      }
      let remove = false;
      if (match.whole) {
        const action = match.whole.action;
        if (action === 'delete') remove = true;
        else
          kv.value = {
            stringValue: action === 'mask' ? MASK : sha256(canonical(kv.value)),
          };
        this.redacted(action, location);
        count++;
      } else if (kv.value) {
        const text = kv.value.stringValue;
        if (
          remembered &&
          typeof text === 'string' &&
          text === recent.cleanValues[i]
        )
          continue;
        const result = this.value(kv.value, match.scoped, location, depth);
        if (remembered && result.count === 0 && typeof text === 'string')
          recent.cleanValues[i] = text;
        count += result.count;
        remove = result.remove;
      }
      if (remove) {
        attrs[i] = undefined as unknown as KeyValue;
        deleted++;
      }
    }
    if (deleted) compact(attrs);
    return count;
  }

  private value(
    value: AnyValue,
    scoped: CompiledRule[],
    location: AttributesLocation,
    depth: number,
  ): { count: number; remove: boolean } {
    const s = value.stringValue;
    if (typeof s === 'string') {
      if (s.length === 0) return NOTHING;
      let text = s;
      let count = 0;
      if (this.anyValuePattern?.test(s)) {
        const r = this.applyValueRules(text, this.valueRules, location);
        if (r.remove) return { count: count + r.count, remove: true };
        text = r.text;
        count += r.count;
      }
      if (scoped.length) {
        const r = this.applyValueRules(text, scoped, location);
        if (r.remove) return { count: count + r.count, remove: true };
        text = r.text;
        count += r.count;
      }
      if (count) value.stringValue = text;
      return count ? { count, remove: false } : NOTHING;
    }
    const bytes = value.bytesValue;
    if (bytes && bytes.length)
      return this.bytesValue(value, bytes, scoped, location);
    if (depth >= MAX_DEPTH && (value.arrayValue || value.kvlistValue)) {
      value.arrayValue = null;
      value.kvlistValue = null;
      value.stringValue = MASK;
      this.redacted('mask', location);
      return { count: 1, remove: false };
    }
    const elements = value.arrayValue?.values;
    if (elements && elements.length) {
      let count = 0;
      let deleted = 0;
      for (let i = 0; i < elements.length; i++) {
        const r = this.value(elements[i], scoped, location, depth + 1);
        count += r.count;
        if (r.remove) {
          elements[i] = undefined as unknown as AnyValue;
          deleted++;
        }
      }
      if (deleted) compact(elements);
      return { count, remove: false };
    }
    const entries = value.kvlistValue?.values;
    if (entries && entries.length) {
      return {
        count: this.attributes(entries, location, depth + 1),
        remove: false,
      };
    }
    return NOTHING;
  }

  /**
   * Bytes values are read as Latin-1 (one character per byte, so text secrets inside binary data
   * are found and every other byte comes back unchanged) and rewritten when a rule matched.
   */
  private bytesValue(
    value: AnyValue,
    bytes: Uint8Array,
    scoped: CompiledRule[],
    location: AttributesLocation,
  ): { count: number; remove: boolean } {
    const original = Buffer.from(
      bytes.buffer,
      bytes.byteOffset,
      bytes.byteLength,
    ).toString('latin1');
    let text = original;
    let count = 0;
    for (const rules of [
      this.anyValuePattern?.test(text) ? this.valueRules : [],
      scoped,
    ]) {
      if (!rules.length) continue;
      const r = this.applyValueRules(text, rules, location);
      if (r.remove) return { count: count + r.count, remove: true };
      text = r.text;
      count += r.count;
    }
    if (count) value.bytesValue = Buffer.from(text, 'latin1');
    return count ? { count, remove: false } : NOTHING;
  }

  private applyValueRules(
    original: string,
    rules: CompiledRule[],
    location: AttributeLocation,
  ): { text: string; count: number; remove: boolean } {
    let text = original;
    let count = 0;
    for (const rule of rules) {
      const pattern = rule.value!;
      // The hint (RegExp, built-in rules) and RE2's test (a DFA) are cheap; finding the matches
      // and their groups is not, so it runs only on text that does contain one.
      if (rule.hint && !rule.hint.test(text)) continue;
      if (!pattern.testAll(text)) continue;
      const r = pattern.replaceAll(text, m => redact(rule, m));
      if (!r.count) continue;
      for (let i = 0; i < r.count; i++) this.redacted(rule.action, location);
      count += r.count;
      if (rule.action === 'delete') return { text, count, remove: true };
      text = r.text;
    }
    return { text, count, remove: false };
  }
}

function compact<T>(items: T[]): void {
  let w = 0;
  for (let r = 0; r < items.length; r++)
    if (items[r] !== undefined) items[w++] = items[r];
  items.length = w;
}

function setRedactedCount(
  span: { attributes?: KeyValue[] | null },
  count: number,
): void {
  const attrs = (span.attributes ??= []);
  const existing = attrs.find(kv => kv.key === REDACTED_COUNT_ATTRIBUTE);
  if (existing) existing.value = { intValue: count };
  else
    attrs.push({ key: REDACTED_COUNT_ATTRIBUTE, value: { intValue: count } });
}
