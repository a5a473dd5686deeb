import { signInProviders } from './index';

describe('sign-in providers', () => {
  it('offers the guest in the embedded default', () => {
    expect(signInProviders('development')).toEqual(['guest']);
    expect(signInProviders(undefined)).toEqual(['guest']);
  });

  it('offers GitHub and no guest in production', () => {
    const providers = signInProviders('production');
    expect(providers).not.toContain('guest');
    expect(providers).toEqual([
      expect.objectContaining({ id: 'github-auth-provider', title: 'GitHub' }),
    ]);
  });
});
