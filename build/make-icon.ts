// Draws build/icon.png (512×512, what electron-builder turns into the Windows .ico and the Linux icons):
// a ticket on the hall's blue. Plain pixels and node:zlib, so it needs no image tool. Run: node build/make-icon.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const SIZE = 512;
type Rgba = [number, number, number, number];
const BLUE: Rgba = [11, 61, 145, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const RED: Rgba = [200, 30, 40, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

function insideRoundedRect(x: number, y: number, left: number, top: number, right: number, bottom: number, radius: number): boolean {
  if (x < left || x >= right || y < top || y >= bottom) return false;
  const cx = Math.min(Math.max(x, left + radius), right - radius - 1);
  const cy = Math.min(Math.max(y, top + radius), bottom - radius - 1);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

function pixel(x: number, y: number): Rgba {
  if (!insideRoundedRect(x, y, 0, 0, SIZE, SIZE, 96)) return CLEAR;
  // the ticket, with a tear-off notch on each side
  const onTicket = insideRoundedRect(x, y, 128, 72, 384, 440, 20) && (x - 128) ** 2 + (y - 300) ** 2 > 22 ** 2 && (x - 384) ** 2 + (y - 300) ** 2 > 22 ** 2;
  if (!onTicket) return BLUE;
  if (y >= 118 && y < 138 && x >= 176 && x < 336) return BLUE; // hall name line
  if (y >= 156 && y < 262 && x >= 186 && x < 326) return insideRoundedRect(x, y, 186, 156, 326, 262, 14) ? RED : WHITE; // the big number
  if (y === 300 || y === 301) return x % 16 < 8 ? BLUE : WHITE; // perforation
  if (y >= 330 && y < 346 && x >= 176 && x < 336) return BLUE;
  if (y >= 370 && y < 386 && x >= 176 && x < 296) return BLUE;
  return WHITE;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function iconPng(): Buffer {
  const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
  for (let y = 0; y < SIZE; y++) {
    raw[y * (SIZE * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < SIZE; x++) raw.set(pixel(x, y), y * (SIZE * 4 + 1) + 1 + x * 4);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

if (import.meta.main) {
  writeFileSync(join(import.meta.dirname, 'icon.png'), iconPng());
  process.stdout.write('wrote build/icon.png\n');
}
