// Draws the extension icon (client/icon.png, 128x128): a magnifying lens over "444" on nginx green.
// A few lines of geometry and a minimal PNG encoder, so the icon can be regenerated without an image tool.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SS = 4; // supersampling per axis, for smooth edges

// 3x5 bitmap of the digit 4.
const FOUR = ['1.1', '1.1', '111', '..1', '..1'];

function inRoundedRect(x, y, r) {
  const cx = Math.min(Math.max(x, r), SIZE - r);
  const cy = Math.min(Math.max(y, r), SIZE - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}
function distToSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}
const lens = { x: 54, y: 54, outer: 38, inner: 30 };
const cell = 5; // pixel-font cell size: digits are 15x25
const digitsLeft = lens.x - (3 * 3 * cell + 2 * 3) / 2;
const digitsTop = lens.y - (5 * cell) / 2;
function inDigits(x, y) {
  for (let d = 0; d < 3; d++) {
    const left = digitsLeft + d * (3 * cell + 3);
    const col = Math.floor((x - left) / cell), row = Math.floor((y - digitsTop) / cell);
    if (col >= 0 && col < 3 && row >= 0 && row < 5 && FOUR[row][col] === '1') return true;
  }
  return false;
}

// Colour of one sample point, RGBA 0-255; later layers paint over earlier ones.
function sample(x, y) {
  if (!inRoundedRect(x, y, 22)) return [0, 0, 0, 0];
  let c = [0, 150, 57, 255]; // nginx green
  const d = Math.hypot(x - lens.x, y - lens.y);
  if (d < lens.inner) c = [11, 61, 46, 255]; // lens glass
  if (d >= lens.inner && d <= lens.outer) c = [255, 255, 255, 255];
  if (distToSegment(x, y, 83, 83, 110, 110) <= 7 && d > lens.outer - 2) c = [255, 255, 255, 255];
  if (d < lens.inner && inDigits(x, y)) c = [255, 92, 92, 255];
  return c;
}

const rows = Buffer.alloc(SIZE * (1 + SIZE * 4));
for (let y = 0; y < SIZE; y++) {
  rows[y * (1 + SIZE * 4)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++)
      for (let sx = 0; sx < SS; sx++) {
        const s = sample(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
        // Premultiplied accumulation keeps edges against transparency clean.
        for (let i = 0; i < 3; i++) acc[i] += (s[i] * s[3]) / 255;
        acc[3] += s[3];
      }
    const n = SS * SS, a = acc[3] / n, o = y * (1 + SIZE * 4) + 1 + x * 4;
    for (let i = 0; i < 3; i++) rows[o + i] = a ? Math.round(((acc[i] / n) * 255) / a) : 0;
    rows[o + 3] = Math.round(a);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(rows, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = new URL('../client/icon.png', import.meta.url);
mkdirSync(new URL('.', out), { recursive: true });
writeFileSync(out, png);
console.log(`wrote ${out.pathname} (${png.length} bytes)`);
