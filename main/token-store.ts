// The device's pairing token, encrypted with the OS (Electron safeStorage: DPAPI on Windows, the keyring on Linux).
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const TOKEN_FILE = 'device-token.bin';

/** The part of Electron's safeStorage the store needs; tests pass a fake. */
export interface SafeStoragePort {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export class TokenStorageUnavailable extends Error {}

export class TokenStore {
  private readonly path: string;
  private readonly safeStorage: SafeStoragePort;

  constructor(path: string, safeStorage: SafeStoragePort) {
    this.path = path;
    this.safeStorage = safeStorage;
  }

  /** The stored token, or null when there is none or it can no longer be decrypted (new OS user, wiped keyring). */
  read(): string | null {
    let encrypted: Buffer;
    try {
      encrypted = readFileSync(this.path);
    } catch {
      return null;
    }
    if (!this.safeStorage.isEncryptionAvailable()) return null;
    try {
      const token = this.safeStorage.decryptString(encrypted);
      return token.length > 0 ? token : null;
    } catch {
      return null;
    }
  }

  /** Refuses to write the token in plain text: without OS encryption the setup screen says so instead. */
  write(token: string): void {
    if (!this.safeStorage.isEncryptionAvailable()) throw new TokenStorageUnavailable('OS encryption is not available');
    const encrypted = this.safeStorage.encryptString(token);
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, encrypted, { mode: 0o600 });
    renameSync(temp, this.path);
  }

  clear(): void {
    rmSync(this.path, { force: true });
  }
}
