// What the exam page keeps on the device: localStorage, read through on every use so
// two tabs of the same attempt see each other's writes. When the browser refuses
// (private mode, quota), values live in memory for this page load and `persistent`
// says so, so the page can warn that a reload would lose them.

/** The part of the Web Storage API the exam needs; tests pass a Map-backed fake. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export class SafeStore implements KeyValueStore {
  #inner: KeyValueStore | null;
  #memory = new Map<string, string | null>();
  persistent = true;

  constructor(inner: KeyValueStore | null) {
    this.#inner = inner;
    if (!inner) this.persistent = false;
  }

  getItem(key: string): string | null {
    if (this.#memory.has(key)) return this.#memory.get(key) ?? null;
    try {
      return this.#inner?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  setItem(key: string, value: string): void {
    try {
      if (!this.#inner) throw new Error('no storage');
      this.#inner.setItem(key, value);
      this.#memory.delete(key);
    } catch {
      this.persistent = false;
      this.#memory.set(key, value);
    }
  }

  removeItem(key: string): void {
    this.#memory.delete(key);
    try {
      this.#inner?.removeItem(key);
    } catch {
      // Nothing to undo: the key is gone from memory, and storage refused anyway.
    }
  }
}

/** localStorage when the browser lets the page use it. */
export function browserStore(): SafeStore {
  try {
    return new SafeStore(globalThis.localStorage ?? null);
  } catch {
    return new SafeStore(null);
  }
}

export function readJson(store: KeyValueStore, key: string): unknown {
  const raw = store.getItem(key);
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export function writeJson(store: KeyValueStore, key: string, value: unknown): void {
  store.setItem(key, JSON.stringify(value));
}

/** 22 url-safe random characters (132 bits): device ids and client event ids. */
export function randomId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // 64 symbols: the low six bits of each byte pick one without bias.
  return Array.from(crypto.getRandomValues(new Uint8Array(22)), (b) => alphabet[b & 63]).join('');
}

const DEVICE_KEY = 'eh-device-id';

/** This browser's id: two ids on one attempt tell the proctor it is open on two devices. */
export function deviceId(store: KeyValueStore): string {
  const known = store.getItem(DEVICE_KEY);
  if (known && /^[A-Za-z0-9_-]{8,64}$/.test(known)) return known;
  const id = randomId();
  store.setItem(DEVICE_KEY, id);
  return id;
}
