import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../config';

const provider = {
  id: 'thainguyen',
  name: 'Cổng dịch vụ công tỉnh Thái Nguyên',
  issuer: 'https://id.thainguyen.gov.vn/realms/ocop',
  clientId: 'ocop',
  clientSecret: 's3cret',
};
const issuesOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
};

describe('single sign-on settings', () => {
  it('reads no provider when OIDC_PROVIDERS is unset, and a JSON array of them with PUBLIC_URL', () => {
    expect(loadConfig({}).OIDC_PROVIDERS).toEqual([]);
    const config = loadConfig({
      OIDC_PROVIDERS: JSON.stringify([{ ...provider, scopes: ['profile'] }]),
      PUBLIC_URL: 'https://ocop.example.gov.vn/',
    });
    expect(config.OIDC_PROVIDERS).toEqual([{ ...provider, scopes: ['profile'] }]);
    expect(config.PUBLIC_URL).toBe('https://ocop.example.gov.vn');
  });

  it('needs PUBLIC_URL when a provider is configured', () => {
    expect(issuesOf({ OIDC_PROVIDERS: JSON.stringify([provider]) })).toEqual([
      { variable: 'PUBLIC_URL', message: expect.stringMatching(/needed with OIDC_PROVIDERS/) },
    ]);
  });

  it.each([
    ['not JSON', '[{', /JSON array/],
    ['an object, not an array', JSON.stringify(provider), /array/i],
    ['plain http to a remote issuer', JSON.stringify([{ ...provider, issuer: 'http://id.example.vn' }]), /https/],
    ['an id with capitals', JSON.stringify([{ ...provider, id: 'ThaiNguyen' }]), /lowercase/],
    ['no client secret', JSON.stringify([{ ...provider, clientSecret: undefined }]), /./],
    ['an unknown field', JSON.stringify([{ ...provider, secret: 'x' }]), /./],
    ['two providers with one id', JSON.stringify([provider, provider]), /same id/],
  ])('refuses OIDC_PROVIDERS with %s, naming it', (_label, value, message) => {
    const issues = issuesOf({ OIDC_PROVIDERS: value, PUBLIC_URL: 'https://ocop.example.gov.vn' });
    expect(issues.map((i) => i.variable)).toEqual(['OIDC_PROVIDERS']);
    expect(issues[0]?.message).toMatch(message);
  });

  it('takes plain http on localhost (a provider beside the product), and refuses a PUBLIC_URL with a query', () => {
    expect(
      loadConfig({
        OIDC_PROVIDERS: JSON.stringify([{ ...provider, issuer: 'http://127.0.0.1:8080/realms/ocop' }]),
        PUBLIC_URL: 'http://localhost:3000',
      }).OIDC_PROVIDERS[0]?.issuer,
    ).toBe('http://127.0.0.1:8080/realms/ocop');
    expect(issuesOf({ PUBLIC_URL: 'https://ocop.example.gov.vn/?x=1' }).map((i) => i.variable)).toEqual(['PUBLIC_URL']);
  });
});
