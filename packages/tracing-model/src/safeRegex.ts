import { RE2JS } from 're2js';

/*
 * Every pattern a user or config supplies (per-operation sampling rules, tail-policy regexes,
 * sanitizer rules) is compiled here, on RE2 (re2js, a pure JavaScript port): matching takes time
 * linear in the text whatever the pattern, where JavaScript's backtracking RegExp takes exponential
 * time on patterns such as `((.)+)+X` (a 24-character span name took 3.3 s). RE2 has no
 * back-references and no lookaround; such patterns are refused when validated.
 */

/**
 * Sampling decisions (`test`) look at no more than this many characters of a span name or
 * attribute value.
 */
export const MAX_MATCHED_TEXT_LENGTH = 4096;

export interface SafeRegexOptions {
  /** Case-insensitive matching (RE2 `(?i)`). */
  ignoreCase?: boolean;
}

/** One match handed to a `replaceAll` replacer. */
export interface SafeRegexMatch {
  /** The matched text. */
  text: string;
  /** The text of each named group that took part in the match. */
  groups: Record<string, string | undefined>;
}

/** A compiled user- or config-supplied pattern. */
export interface SafeRegex {
  readonly source: string;
  /**
   * Whether it matches somewhere in the first {@link MAX_MATCHED_TEXT_LENGTH} characters of
   * `text` (unanchored, like `RegExp.prototype.test`).
   */
  test(text: string): boolean;
  /** Whether it matches anywhere in `text`, however long (linear time). */
  testAll(text: string): boolean;
  /**
   * Replaces every non-empty match in `text`, left to right, with what `replacer` returns;
   * `count` is the number of replaced matches (a replacer returning the match itself, unchanged,
   * is not counted).
   */
  replaceAll(
    text: string,
    replacer: (match: SafeRegexMatch) => string,
  ): { text: string; count: number };
}

/** A pattern that RE2 cannot compile; the message says why, without naming a field. */
export class SafeRegexError extends Error {}

function reasonOf(pattern: string, error: unknown): string {
  const detail =
    error instanceof Error
      ? error.message.replace(/^error parsing regexp: /, '')
      : String(error);
  if (/\(\?<?[=!]/.test(pattern) && /\(\?<?[=!]/.test(detail)) {
    return 'must not use lookahead or lookbehind: patterns run on RE2, a linear-time engine without them';
  }
  if (/\\[1-9]|\\k</.test(pattern) && /\\[1-9k]/.test(detail)) {
    return 'must not use back-references: patterns run on RE2, a linear-time engine without them';
  }
  return `is not a valid regular expression (RE2 syntax): ${detail}`;
}

function flagsOf(options: SafeRegexOptions | undefined): number {
  return options?.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0;
}

/**
 * Why `pattern` cannot be used (a message to put after the field's name, e.g. `must not use
 * back-references: ...`), or undefined when RE2 compiles it.
 */
export function safeRegexProblem(
  pattern: string,
  options?: SafeRegexOptions,
): string | undefined {
  try {
    RE2JS.compile(pattern, flagsOf(options));
    return undefined;
  } catch (e) {
    return reasonOf(pattern, e);
  }
}

class Re2Regex implements SafeRegex {
  private readonly re: RE2JS;
  private readonly groupNames: string[];

  constructor(readonly source: string, options: SafeRegexOptions | undefined) {
    try {
      this.re = RE2JS.compile(source, flagsOf(options));
    } catch (e) {
      throw new SafeRegexError(reasonOf(source, e));
    }
    this.groupNames = Object.keys(this.re.namedGroups());
  }

  test(text: string): boolean {
    return this.re.test(
      text.length > MAX_MATCHED_TEXT_LENGTH
        ? text.slice(0, MAX_MATCHED_TEXT_LENGTH)
        : text,
    );
  }

  testAll(text: string): boolean {
    return this.re.test(text);
  }

  replaceAll(
    text: string,
    replacer: (match: SafeRegexMatch) => string,
  ): { text: string; count: number } {
    const m = this.re.matcher(text);
    let out = '';
    let copied = 0;
    let count = 0;
    while (m.find()) {
      const start = m.start();
      const end = m.end();
      if (end === start) continue;
      const matched = text.slice(start, end);
      const groups: Record<string, string | undefined> = {};
      for (const name of this.groupNames)
        groups[name] = m.group(name) ?? undefined;
      const replacement = replacer({ text: matched, groups });
      if (replacement === matched) continue;
      out += text.slice(copied, start) + replacement;
      copied = end;
      count++;
    }
    if (count === 0) return { text, count };
    return { text: out + text.slice(copied), count };
  }
}

/**
 * Compiles a user- or config-supplied pattern on RE2; throws {@link SafeRegexError} when it
 * cannot (validate first with {@link safeRegexProblem} to name the field).
 */
export function compileSafeRegex(
  pattern: string,
  options?: SafeRegexOptions,
): SafeRegex {
  return new Re2Regex(pattern, options);
}

/**
 * For patterns already validated and stored (a policy saved before patterns were checked against
 * RE2): the compiled pattern, or undefined when RE2 cannot compile it, so callers match nothing
 * instead of failing the ingest path.
 */
export function compileSafeRegexOrUndefined(
  pattern: string,
  options?: SafeRegexOptions,
): SafeRegex | undefined {
  try {
    return compileSafeRegex(pattern, options);
  } catch (e) {
    if (e instanceof SafeRegexError) return undefined;
    throw e;
  }
}
