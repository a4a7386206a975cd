import { describe, expect, it } from 'vitest';
import { isSafeReturnTo } from '../../../api/oidc';

describe('where single sign-on returns a browser', () => {
  it.each(['/', '/products', '/products?mine=1#top', '/a/b%2F%2Fc', '/tìm-kiếm'])('takes the path %s', (p) => {
    expect(isSafeReturnTo(p)).toBe(true);
  });

  it.each([
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    'javascript:alert(1)',
    'products',
    '',
  ])('refuses %j, which would leave the site', (p) => {
    expect(isSafeReturnTo(p)).toBe(false);
  });
});
