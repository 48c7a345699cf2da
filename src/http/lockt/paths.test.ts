import { describe, expect, it } from 'vitest';
import { canonicalLocktUrl } from './paths.ts';

describe('canonicalLocktUrl', () => {
  it.each([
    ['/api/v1/users', '/api/v1/user'],
    ['/api/v1/users?id=5', '/api/v1/user?id=5'],
    ['/api/v1/accesslevels/', '/api/v1/accesslevel/'],
    ['/api/v1/delegates?purge', '/api/v1/delegate?purge'],
    ['/api/v1/event?id=3', '/api/v1/events?id=3'],
    ['/v1/user/', '/api/v1/user/'],
    ['/v1/credential', '/api/v1/credential'],
    ['/api/v1/user', '/api/v1/user'],
    ['/api/v1/access/users/items', '/api/v1/access/users/items'],
    ['/api/v1/login?username=a', '/api/v1/login?username=a'],
    ['/docs/', '/docs/'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalLocktUrl(input)).toBe(expected);
  });
});
