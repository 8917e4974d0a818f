import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKEN_FILE, TokenStorageUnavailable, TokenStore, type SafeStoragePort } from './token-store.ts';

/** Stands in for the OS: a reversible scramble, so the test can tell ciphertext from the token. */
function fakeSafeStorage(available = true): SafeStoragePort {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (text) => Buffer.from(`v10${Buffer.from(text, 'utf8').toString('base64').split('').reverse().join('')}`),
    decryptString: (data) => {
      const text = data.toString();
      if (!text.startsWith('v10')) throw new Error('bad ciphertext');
      return Buffer.from(text.slice(3).split('').reverse().join(''), 'base64').toString('utf8');
    },
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hall-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('token store', () => {
  it('stores the token encrypted, readable only by the owner, and reads it back', () => {
    const path = join(dir, TOKEN_FILE);
    const store = new TokenStore(path, fakeSafeStorage());
    expect(store.read()).toBeNull();
    store.write('demo-kiosk-1');
    expect(readFileSync(path).toString()).not.toContain('demo-kiosk-1');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(store.read()).toBe('demo-kiosk-1');
    store.clear();
    expect(store.read()).toBeNull();
  });

  it('refuses to write in plain text when OS encryption is unavailable', () => {
    const store = new TokenStore(join(dir, TOKEN_FILE), fakeSafeStorage(false));
    expect(() => store.write('demo-kiosk-1')).toThrow(TokenStorageUnavailable);
  });

  it('an undecryptable file (new OS user, wiped keyring) means "set up again", not a crash', () => {
    const path = join(dir, TOKEN_FILE);
    writeFileSync(path, 'garbage');
    expect(new TokenStore(path, fakeSafeStorage()).read()).toBeNull();
  });
});
