// Every HTTP route is declared from a protocol contract (the web client calls the same
// contracts), and no two contracts claim the same method and path.
import { describe, expect, it } from 'vitest';
import * as protocol from '@exam-hall/protocol';
import type { EndpointSpec } from '@exam-hall/protocol';
import { createRoutes, type ServiceDeps, type Services } from '../../src/modules/registry.ts';
import type { AuthService } from '../../src/modules/auth/auth.service.ts';

// Declaring routes calls no service: a stand-in that answers anything is enough to list them.
const KEYS = ['config', 'redis', 'db', 'auth', 'links', 'secret', 'publish', 'zoom', 'zoomJobs', 'chain'];
const anything: unknown = new Proxy(() => {}, {
  get: (_t, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => 'x' : anything),
  apply: () => anything,
  ownKeys: () => KEYS,
  getOwnPropertyDescriptor: () => ({ value: anything, enumerable: true, configurable: true, writable: true }),
});

const contracts: { name: string; spec: EndpointSpec }[] = Object.entries(protocol)
  .filter(([name]) => /Api$/.test(name))
  .flatMap(([table, endpoints]) =>
    Object.entries(endpoints as Record<string, EndpointSpec>).map(([name, spec]) => ({
      name: `${table}.${name}`,
      spec,
    })),
  );

describe('HTTP contracts', () => {
  const routes = createRoutes(anything as ServiceDeps, anything as AuthService, anything as Services);

  it('declares every route from a protocol contract, method and path included', () => {
    expect(routes.length).toBeGreaterThan(0);
    const known = new Set(contracts.map((c) => c.spec));
    for (const r of routes) {
      expect(known.has(r.contract), `${r.spec.method} ${r.spec.path}`).toBe(true);
      expect([r.spec.method, r.spec.path]).toEqual([r.contract.method, r.contract.path]);
    }
  });

  it('gives each (method, path) to one contract and each contract to one route', () => {
    const keys = contracts.map((c) => `${c.spec.method} ${c.spec.path}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    const used = routes.map((r) => contracts.find((c) => c.spec === r.contract)?.name);
    expect(used.filter((n, i) => used.indexOf(n) !== i)).toEqual([]);
    expect(contracts.map((c) => c.name).filter((n) => !used.includes(n))).toEqual([]);
  });
});
