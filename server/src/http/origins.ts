// Which browser origins may send state-changing requests and open sockets with our
// cookies. Production: exactly PUBLIC_URL. Development also accepts the loopback
// names of the port the server actually listens on (localhost, 127.0.0.1, [::1]),
// so whichever of them a developer types works, and nothing else does.
export interface OriginPolicy {
  /** True when a request that names this Origin may act with the user's cookies. */
  allows(origin: string): boolean;
  /** Called once the server listens: the real port (PORT=0 picks one). */
  served(port: number): void;
  list(): string[];
}

export function createOriginPolicy(publicUrl: string, opts: { development: boolean }): OriginPolicy {
  const allowed = new Set([publicUrl]);
  return {
    allows: (origin) => allowed.has(origin),
    served(port) {
      if (!opts.development) return;
      for (const host of ['localhost', '127.0.0.1', '[::1]']) allowed.add(`http://${host}:${port}`);
    },
    list: () => [...allowed],
  };
}
