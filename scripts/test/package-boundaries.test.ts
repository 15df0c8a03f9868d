// The packages' boundaries, checked on every import of their sources (`<package>/src/**`):
// - a package reaches another only by its name (`@exam-hall/x`), never by a relative path
//   into the other's folder, and only through what the other's package.json `exports`;
// - the dependencies go one way: server -> protocol, contracts; web -> protocol;
//   protocol and contracts import no other package (so no two packages import each other);
// - protocol imports nothing but zod (it runs in browsers and in Node alike).
// Tests and scripts are the server's own and may import its internals: they are not checked.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Which packages each package may import, and the exports (subpath patterns) others may use. */
const packages: Record<string, { mayImport: string[]; exports: RegExp }> = {
  protocol: { mayImport: [], exports: /^$/ },
  contracts: { mayImport: [], exports: /^[\w.-]+\.ts$/ },
  server: { mayImport: ['protocol', 'contracts'], exports: /^(?!)/ },
  web: { mayImport: ['protocol'], exports: /^(?!)/ },
};
/** Bare (npm) imports protocol may use. */
const protocolMayUse = /^zod(\/|$)/;

const IMPORT =
  /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"\n]+)['"]|^\s*import\s*['"]([^'"\n]+)['"]|\bimport\s*\(\s*['"]([^'"\n]+)['"]/gm;

export function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

function sourcesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|js|mjs|svelte)$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** What is wrong with one import of a file in package `pkg`, or null. */
export function violation(pkg: string, file: string, spec: string): string | null {
  if (spec.startsWith('.')) {
    const target = relative(root, resolve(dirname(file), spec)).split(sep);
    if (target[0] !== pkg) return `reaches into ${target[0]}/ by a relative path (import it by its package name)`;
    return null;
  }
  const named = /^@exam-hall\/([^/]+)(?:\/(.*))?$/.exec(spec);
  if (named) {
    const [, other, subpath = ''] = named;
    if (other === pkg) return 'imports its own package by name';
    if (!packages[pkg]!.mayImport.includes(other!))
      return `imports ${other} (${pkg} may import: ${packages[pkg]!.mayImport.join(', ') || 'no package'})`;
    if (!packages[other!]!.exports.test(subpath))
      return `imports ${other}'s internals (${subpath}), not one of its exports`;
    return null;
  }
  if (pkg === 'protocol' && !protocolMayUse.test(spec)) return 'protocol imports nothing but zod';
  return null;
}

describe('package boundaries', () => {
  it('flags what it is meant to', () => {
    const f = (pkg: string, path: string) => join(root, pkg, 'src', path);
    expect(violation('web', f('web', 'lib/api.ts'), '../../../server/src/system.ts')).toMatch(/relative path/);
    expect(violation('web', f('web', 'lib/api.ts'), '@exam-hall/server/system.ts')).toMatch(/imports server/);
    expect(violation('protocol', f('protocol', 'x.ts'), '@exam-hall/server/system.ts')).toMatch(/imports server/);
    expect(violation('protocol', f('protocol', 'x.ts'), 'ioredis')).toMatch(/nothing but zod/);
    expect(violation('contracts', f('contracts', 'x.ts'), '@exam-hall/protocol')).toMatch(/imports protocol/);
    expect(violation('server', f('server', 'main.ts'), '@exam-hall/protocol/jobs.ts')).toMatch(/internals/);
    expect(violation('server', f('server', 'main.ts'), '@exam-hall/web')).toMatch(/imports web/);
    expect(violation('server', f('server', 'jobs/runtime.ts'), '../../../protocol/src/jobs.ts')).toMatch(/relative/);
    expect(violation('server', f('server', 'jobs/runtime.ts'), '../lib/redis.ts')).toBeNull();
    expect(violation('server', f('server', 'main.ts'), '@exam-hall/protocol')).toBeNull();
    expect(violation('server', f('server', 'x.ts'), '@exam-hall/contracts/artifact.ts')).toBeNull();
    expect(violation('protocol', f('protocol', 'x.ts'), 'zod')).toBeNull();
    expect(importsOf(`import a from 'a';\nexport { b } from "b";\nconst c = await import('c');\nimport 'd';`)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  for (const pkg of Object.keys(packages)) {
    it(`${pkg}/src imports only what its boundary allows`, () => {
      const found: string[] = [];
      for (const file of sourcesOf(join(root, pkg, 'src'))) {
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
          const why = violation(pkg, file, spec);
          if (why) found.push(`${relative(root, file)}: '${spec}' ${why}`);
        }
      }
      expect(found).toEqual([]);
    });
  }
});
