import { ConfigReader } from '@backstage/config';
import { z } from 'zod';
import { ConfigValidationError, positive, readConfig } from './readConfig';

const schema = z.object({
  seconds: positive(5),
  minutes: positive(15, { integer: true, max: 1440 }),
});

const read = (value: unknown) =>
  readConfig(new ConfigReader({ x: { y: value } } as any), 'x.y', schema);

describe('readConfig with positive()', () => {
  it('applies defaults for missing keys and a missing subtree', () => {
    expect(read({})).toEqual({ seconds: 5, minutes: 15 });
    expect(readConfig(new ConfigReader({}), 'x.y', schema)).toEqual({
      seconds: 5,
      minutes: 15,
    });
  });

  it('takes numbers given as strings (env substitution)', () => {
    expect(read({ seconds: '2.5', minutes: ' 30 ' })).toEqual({
      seconds: 2.5,
      minutes: 30,
    });
  });

  it('names every bad key with its rule and value', () => {
    let error: ConfigValidationError | undefined;
    try {
      read({ seconds: 0, minutes: 2000 });
    } catch (e) {
      error = e as ConfigValidationError;
    }
    expect(error?.errors).toEqual([
      { path: 'x.y.seconds', message: 'must be a positive number (got 0)' },
      {
        path: 'x.y.minutes',
        message: 'must be a positive integer of at most 1440 (got 2000)',
      },
    ]);
    expect(() => read({ minutes: 1.5 })).toThrow(
      'x.y.minutes: must be a positive integer of at most 1440 (got 1.5)',
    );
    expect(() => read({ seconds: 'soon' })).toThrow(
      'x.y.seconds: must be a positive number (got "soon")',
    );
  });
});
