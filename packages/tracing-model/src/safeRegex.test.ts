import {
  compileSafeRegex,
  compileSafeRegexOrUndefined,
  MAX_MATCHED_TEXT_LENGTH,
  SafeRegexError,
  safeRegexProblem,
} from './safeRegex';

describe('compileSafeRegex', () => {
  // With JavaScript's backtracking RegExp each of these takes exponential time on such input:
  // this test would hang (and fail by jest's timeout).
  it.each([
    ['((.)+)+X', 'a'.repeat(10_000), false],
    ['((.)+)+X', `${'a'.repeat(1_000)}X`, true],
    ['((.)+)+X', `${'a'.repeat(9_000)}X`, true],
    ['(a|a)*$', `${'a'.repeat(10_000)}b`, true],
    ['^(a|a)*$', `${'a'.repeat(10_000)}b`, false],
    ['(.*a){25}$', `${'a'.repeat(10_000)}b`, false],
    ['(.*a){25}$', 'a'.repeat(30), true],
    ['(x+x+)+y', 'x'.repeat(10_000), false],
  ])('%s on a long input gives the right answer', (pattern, text, expected) => {
    const re = compileSafeRegex(pattern);
    expect(re.testAll(text)).toBe(expected);
    // The capped check sees the first MAX_MATCHED_TEXT_LENGTH characters only.
    expect(re.test(text)).toBe(
      re.testAll(text.slice(0, MAX_MATCHED_TEXT_LENGTH)),
    );
  });

  it('tests only the first MAX_MATCHED_TEXT_LENGTH characters, testAll all of them', () => {
    const re = compileSafeRegex('X');
    const text = `${'a'.repeat(MAX_MATCHED_TEXT_LENGTH)}X`;
    expect(re.test(text)).toBe(false);
    expect(re.test(text.slice(1))).toBe(true);
    expect(re.testAll(text)).toBe(true);
  });

  it('is unanchored and honours ignoreCase', () => {
    expect(compileSafeRegex('^GET /api/').test('GET /api/orders')).toBe(true);
    expect(compileSafeRegex('orders').test('GET /api/ORDERS')).toBe(false);
    expect(
      compileSafeRegex('orders', { ignoreCase: true }).test('GET /api/ORDERS'),
    ).toBe(true);
  });

  it('replaces every match and hands the replacer the named groups', () => {
    const re = compileSafeRegex('(?P<pre>token=)(?<secret>[^&]+)', {
      ignoreCase: true,
    });
    expect(
      re.replaceAll('a=1&TOKEN=abc&token=def', m => `${m.groups.pre}****`),
    ).toEqual({ text: 'a=1&TOKEN=****&token=****', count: 2 });
  });

  it('counts no replacement when the replacer keeps the match, and skips empty matches', () => {
    const re = compileSafeRegex('\\d*');
    expect(re.replaceAll('a12b3', m => (m.text === '3' ? '3' : '#'))).toEqual({
      text: 'a#b3',
      count: 1,
    });
    expect(re.replaceAll('abc', () => '#')).toEqual({ text: 'abc', count: 0 });
  });

  it('throws SafeRegexError for what RE2 cannot compile', () => {
    expect(() => compileSafeRegex('(a)\\1')).toThrow(SafeRegexError);
  });

  it('compileSafeRegexOrUndefined gives undefined for what RE2 cannot compile', () => {
    expect(compileSafeRegexOrUndefined('(?<=a)b')).toBeUndefined();
    expect(compileSafeRegexOrUndefined('a+')!.test('caat')).toBe(true);
  });
});

describe('safeRegexProblem', () => {
  it.each(['^GET /api/.*$', '((.)+)+X', '(a|a)*$', '(?<name>a)b'])(
    'accepts %s',
    pattern => {
      expect(safeRegexProblem(pattern)).toBeUndefined();
    },
  );

  it.each([
    ['(a)\\1', /^must not use back-references/],
    ['(?<n>a)\\k<n>', /^must not use back-references/],
    ['(?<=token=)\\w+', /^must not use lookahead or lookbehind/],
    ['(?<!x)y', /^must not use lookahead or lookbehind/],
    ['a(?=b)', /^must not use lookahead or lookbehind/],
    ['a(?!b)', /^must not use lookahead or lookbehind/],
    [
      '[',
      /^is not a valid regular expression \(RE2 syntax\): missing closing \]/,
    ],
    ['a{1001}', /^is not a valid regular expression \(RE2 syntax\)/],
  ])('refuses %s', (pattern, expected) => {
    expect(safeRegexProblem(pattern)).toMatch(expected);
  });
});
