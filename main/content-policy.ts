// Content security policies. Hall pages get one added to the server's responses; the shell's pages carry their own.

function policy(directives: Record<string, readonly string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`.trim())
    .join('; ');
}

/** For the hall pages: scripts only from the hall server, live updates only to it (ws/wss included), nothing framed. */
export function hallPagePolicy(hallOrigin: string): string {
  const socketOrigin = hallOrigin.replace(/^http/, 'ws');
  return policy({
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    // React sets style attributes and Vite emits a stylesheet; inline styles cannot run code.
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'media-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", socketOrigin],
    'worker-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'none'"],
  });
}

/** For the shell's setup, offline and fault pages: their own script and nothing else; they talk to main only through IPC. */
export function shellPagePolicy(): string {
  return policy({
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'connect-src': ["'none'"],
    'object-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
  });
}

/** For a rendered ticket: no script at all, the QR code is inline SVG. */
export function ticketPagePolicy(): string {
  return policy({
    'default-src': ["'none'"],
    'style-src': ["'unsafe-inline'"],
    'img-src': ['data:'],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
  });
}

/** Adds the policy to a response's headers, replacing any the server sent (header names are case-insensitive). */
export function withPolicy(headers: Record<string, string[]>, csp: string): Record<string, string[]> {
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-security-policy'));
  return { ...kept, 'Content-Security-Policy': [csp] };
}
