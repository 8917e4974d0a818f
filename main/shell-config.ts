// The machine's shell configuration: a JSON file in the app's data folder, overridden by command-line flags.
// The pairing token is never in here: it lives encrypted in token-store.ts.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ScreenRole, ShellRole } from '../shared/electron-api.ts';

export const CONFIG_FILE = 'hall-shell.json';
export const DEFAULT_ALL_IN_ONE_PORT = 8080;

const ServerUrl = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const origin = serverOrigin(text);
    if (origin === null) {
      ctx.addIssue({ code: 'custom', message: `not an http(s) server address: ${text}` });
      return z.NEVER;
    }
    return origin;
  });

export const ShellConfigFile = z.strictObject({
  role: ShellRole.optional(),
  /** all-in-one: the screen it opens */
  screen: ScreenRole.optional(),
  serverUrl: ServerUrl.optional(),
  printer: z
    .strictObject({
      name: z.string().trim().min(1).max(200),
      /** `ticket-80mm`: an explicit 80 mm page; `printer-default`: the driver's own page size (continuous rolls) */
      pageSize: z.enum(['ticket-80mm', 'printer-default']).default('ticket-80mm'),
    })
    .optional(),
  /** index into the machine's monitors, 0 = primary */
  monitor: z.number().int().min(0).max(15).optional(),
  counterNumber: z.number().int().positive().max(9999).optional(),
  hideCursor: z.boolean().optional(),
  autoStart: z.boolean().optional(),
  allInOne: z
    .strictObject({
      port: z.number().int().min(1).max(65535).default(DEFAULT_ALL_IN_ONE_PORT),
      /** 0.0.0.0 when other devices in the 便民服务站 connect to this PC */
      host: z.string().min(1).max(100).default('127.0.0.1'),
    })
    .optional(),
});
export type ShellConfigFile = z.output<typeof ShellConfigFile>;

/** The resolved configuration the shell runs with. */
export interface ShellConfig {
  role: ShellRole | null;
  screen: ScreenRole | undefined;
  serverUrl: string | null;
  printer: { name: string; pageSize: 'ticket-80mm' | 'printer-default' } | null;
  monitor: number;
  counterNumber: number | null;
  hideCursor: boolean;
  autoStart: boolean | null;
  allInOne: { port: number; host: string };
  /** show the setup screen even when configured */
  forceSetup: boolean;
  configPath: string;
}

/** Origin of an http(s) address, or null: pages may come only from the hall server's origin. */
export function serverOrigin(text: string): string | null {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  return url.origin;
}

export class ConfigError extends Error {}

const FLAG_OPTIONS = {
  role: { type: 'string' },
  screen: { type: 'string' },
  server: { type: 'string' },
  config: { type: 'string' },
  printer: { type: 'string' },
  'printer-default-page-size': { type: 'boolean' },
  monitor: { type: 'string' },
  counter: { type: 'string' },
  'hide-cursor': { type: 'boolean' },
  'no-autostart': { type: 'boolean' },
  port: { type: 'string' },
  setup: { type: 'boolean' },
} as const;

const Flags = z.object({
  role: ShellRole.optional(),
  screen: ScreenRole.optional(),
  server: ServerUrl.optional(),
  config: z.string().min(1).optional(),
  printer: z.string().trim().min(1).max(200).optional(),
  'printer-default-page-size': z.boolean().optional(),
  monitor: z.coerce.number().int().min(0).max(15).optional(),
  counter: z.coerce.number().int().positive().max(9999).optional(),
  'hide-cursor': z.boolean().optional(),
  'no-autostart': z.boolean().optional(),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  setup: z.boolean().optional(),
});
type Flags = z.infer<typeof Flags>;

/**
 * Reads our flags from the command line. Chromium and Electron add switches of their own
 * (`--no-sandbox`, `--enable-logging`, `--relaunch-count`...), so unknown ones are ignored, not refused.
 * @example parseFlags(['--role', 'kiosk', '--server', 'http://hall-server:8080'])
 */
export function parseFlags(argv: readonly string[]): Flags {
  const { values } = parseArgs({ args: [...argv], options: FLAG_OPTIONS, strict: false, allowPositionals: true });
  const known = Object.fromEntries(Object.entries(values).filter(([name]) => name in FLAG_OPTIONS));
  const parsed = Flags.safeParse(known);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid flag --${String(issue?.path[0] ?? '?')}: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

/** Reads the config file; a missing file is an unconfigured machine, a broken one is an error in words. */
export function readConfigFile(path: string): ShellConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ShellConfigFile.parse({});
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${path} is not valid JSON`);
  }
  const parsed = ShellConfigFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${path}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return parsed.data;
}

/** Writes the config atomically (a power cut mid-write must not leave a kiosk unconfigurable). */
export function writeConfigFile(path: string, config: ShellConfigFile): void {
  const checked = ShellConfigFile.parse(config);
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp`;
  writeFileSync(temp, JSON.stringify(checked, null, 2) + '\n', { mode: 0o600 });
  renameSync(temp, path);
}

/** Flags win over the file; the file wins over defaults. */
export function resolveShellConfig(argv: readonly string[], userDataDir: string): ShellConfig {
  const flags = parseFlags(argv);
  const configPath = flags.config ?? join(userDataDir, CONFIG_FILE);
  const file = readConfigFile(configPath);
  const printerName = flags.printer ?? file.printer?.name;
  const pageSize = flags['printer-default-page-size'] ? 'printer-default' : (file.printer?.pageSize ?? 'ticket-80mm');
  const role = flags.role ?? file.role ?? null;
  const allInOne = { port: flags.port ?? file.allInOne?.port ?? DEFAULT_ALL_IN_ONE_PORT, host: file.allInOne?.host ?? '127.0.0.1' };
  return {
    role,
    screen: flags.screen ?? file.screen,
    serverUrl: role === 'all-in-one' ? localServerUrl(allInOne) : (flags.server ?? file.serverUrl ?? null),
    printer: printerName ? { name: printerName, pageSize } : null,
    monitor: flags.monitor ?? file.monitor ?? 0,
    counterNumber: flags.counter ?? file.counterNumber ?? null,
    hideCursor: flags['hide-cursor'] ?? file.hideCursor ?? false,
    autoStart: flags['no-autostart'] ? false : (file.autoStart ?? null),
    allInOne,
    forceSetup: flags.setup ?? false,
    configPath,
  };
}

/** The address the shell uses to reach its own all-in-one server (always loopback, whatever it listens on). */
export function localServerUrl(allInOne: { port: number }): string {
  return `http://127.0.0.1:${allInOne.port}`;
}

/** Whether the machine can open its screen, or must show the setup screen first. */
export function needsSetup(config: ShellConfig, hasToken: boolean): boolean {
  return config.forceSetup || config.role === null || config.serverUrl === null || !hasToken;
}
