import { optInProblem } from './optInProblem';

describe('optInProblem', () => {
  it('names a missing annotation', () => {
    expect(optInProblem(undefined, [])).toMatchObject({
      kind: 'missing',
      title: 'Opt in to tracing',
      summary: expect.stringContaining(
        'has no tracing-health/enabled annotation',
      ),
    });
  });

  it('names the invalid value instead of calling it missing', () => {
    const problem = optInProblem('yes', [
      {
        annotation: 'tracing-health/enabled',
        value: 'yes',
        message:
          'tracing-health/enabled: must be "true" or "false" (got "yes")',
      },
    ]);
    expect(problem.kind).toBe('invalid');
    expect(problem.summary).toContain('tracing-health/enabled is "yes"');
    expect(problem.summary).toContain('must be "true"');
    expect(problem.summary).not.toMatch(/missing/i);
  });

  it('says a component opted out with "false"', () => {
    expect(optInProblem('false', [])).toMatchObject({ kind: 'opted-out' });
  });

  it('cuts a long value short', () => {
    const problem = optInProblem('x'.repeat(5000), []);
    expect(problem.kind).toBe('invalid');
    expect(problem.summary.length).toBeLessThan(300);
  });
});
