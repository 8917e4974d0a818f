// Random keys that work outside secure contexts too (a hall LAN is plain http, where crypto.randomUUID is missing).
export function randomKey(bytes = 16): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return [...buf].map((b) => b.toString(16).padStart(2, '0')).join('');
}
