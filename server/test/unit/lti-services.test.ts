// The small hand-written parts of the LTI Advantage client: the Link header's rel="next",
// the scores URL, LIS roles, and the token cache (one request per platform and scope set
// until shortly before expiry, shared by concurrent asks).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoresUrl } from '../../src/modules/lti/lti.ags.ts';
import { nextLink, roleOf } from '../../src/modules/lti/lti.nrps.ts';
import { createLtiTokenClient, LtiServiceError } from '../../src/modules/lti/lti.token.ts';

describe('rel="next" in a Link header', () => {
  const base = 'https://lms.example/ctx/1/memberships?page=1';
  it('finds next among other relations and resolves it against the page', () => {
    expect(nextLink('<https://lms.example/m?p=2>; rel="next", <https://lms.example/m?p=9>; rel="last"', base)).toBe(
      'https://lms.example/m?p=2',
    );
    expect(nextLink('</ctx/1/memberships?page=2>; rel=next', base)).toBe(
      'https://lms.example/ctx/1/memberships?page=2',
    );
    expect(nextLink('<https://lms.example/x>; rel="prev next"', base)).toBe('https://lms.example/x');
  });
  it('answers null without one, for other relations and for non-HTTP targets', () => {
    expect(nextLink(null, base)).toBeNull();
    expect(nextLink('<https://lms.example/m?p=0>; rel="prev"', base)).toBeNull();
    expect(nextLink('<https://lms.example/m>; rel="nextish"', base)).toBeNull();
    expect(nextLink('<javascript:alert(1)>; rel="next"', base)).toBeNull();
    expect(nextLink('garbage', base)).toBeNull();
  });
});

describe('AGS scores URL', () => {
  it('appends /scores to the line item path and keeps its query', () => {
    expect(scoresUrl('https://lms.example/li/7')).toBe('https://lms.example/li/7/scores');
    expect(scoresUrl('https://lms.example/li/7/?type_id=3')).toBe('https://lms.example/li/7/scores?type_id=3');
  });
});

describe('LIS membership roles', () => {
  it('maps Instructor to teacher (over Learner), Learner to student, others to nothing', () => {
    const m = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
    expect(roleOf([`${m}Learner`])).toBe('student');
    expect(roleOf(['Learner'])).toBe('student');
    expect(roleOf([`${m}Learner`, `${m}Instructor`])).toBe('teacher');
    expect(roleOf([`${m}Mentor`, 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student'])).toBeNull();
    expect(roleOf([])).toBeNull();
  });
});

describe('token client', () => {
  let url = '';
  let requests = 0;
  let status = 200;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        if (status !== 200)
          return res
            .writeHead(status, { 'content-type': 'application/json' })
            .end('{"error":"invalid_client","error_description":"unknown\\u0000client id"}');
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: `tok-${requests}`, expires_in: 3600 }));
      }, 20);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('asks once for concurrent callers and caches until shortly before expiry, per platform and scopes', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    let now = 1_000_000;
    const tokens = createLtiTokenClient({
      keys: { active: async () => ({ kid: 'k1', alg: 'RS256', privateKey }) },
      now: () => now,
    });
    const platform = { id: 'p1', clientId: 'c1', accessTokenUrl: url, authServer: null };
    const got = await Promise.all([1, 2, 3].map(() => tokens.token(platform, ['a', 'b'])));
    expect(new Set(got).size).toBe(1);
    expect(requests).toBe(1);
    expect(await tokens.token(platform, ['b', 'a'])).toBe(got[0]);
    expect(requests).toBe(1);
    await tokens.token(platform, ['c']);
    expect(requests).toBe(2);
    now += 3600_000 - 30_000; // inside the renewal margin
    expect(await tokens.token(platform, ['a', 'b'])).not.toBe(got[0]);
    expect(requests).toBe(3);
    tokens.forget('p1');
    await tokens.token(platform, ['c']);
    expect(requests).toBe(4);

    status = 401;
    const err = await tokens.token({ ...platform, id: 'p2' }, ['a']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LtiServiceError);
    expect((err as LtiServiceError).retryable).toBe(false);
    expect((err as Error).message).toBe(
      "The LMS refused the tool's access token request (401: invalid_client: unknown client id): check the platform's client id and token URL, and that the LMS has the tool's JWKS URL.",
    );
  });
});
