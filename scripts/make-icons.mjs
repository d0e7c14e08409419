// Generates the tray and app icons under assets/. The output is committed; no image libraries.
//
// What it draws: a ">_" PowerShell-prompt glyph in a rounded square. Tray states add a badge in the
// top-right corner, cut out of the square: idle (slate, no badge), busy (blue, green dot),
// queued (blue, amber ring: requests wait), degraded (slate, red disc with "!"). macOS template
// images draw the same shapes in black on transparent (outlined square; filled dot / hollow ring /
// "!" for the states), since macOS tints templates itself. The app icon is a blue terminal window
// with the prompt glyph.
//
// How: shapes are signed-distance functions sampled 4x4 per pixel, composited, box-filtered, then
// written by a small PNG encoder (node:zlib deflate, CRC32, RGBA 8-bit, filter 0) and an ICO writer
// that embeds the PNGs. Only floating-point +, -, *, / and sqrt are used, so the pixels are the same
// on every machine and the bytes the same on every run (--check compares pixels, not zlib output).
//
// Run:   node scripts/make-icons.mjs           (writes the files)
//        node scripts/make-icons.mjs --check   (writes nothing; exit 1 listing files that differ)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, inflateSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Samples per pixel along each axis (4 -> 16 samples, box-filtered). */
const SUPERSAMPLE = 4;
/** The tray states; each is the file-name prefix of its icons in assets/tray/. */
const STATES = ['idle', 'busy', 'queued', 'degraded'];
/** Sizes embedded in the app icon's .ico (256 is the one Windows Explorer wants for large views). */
const APP_ICO_SIZES = [16, 32, 48, 256];

// ---------------------------------------------------------------------------------------------
// Colours: straight (not premultiplied) RGBA, 0..1.

const hex = (h, a = 1) => [parseInt(h.slice(1, 3), 16) / 255, parseInt(h.slice(3, 5), 16) / 255, parseInt(h.slice(5, 7), 16) / 255, a];
const WHITE = hex('#ffffff');
const BLACK = hex('#000000');
const SLATE = hex('#5b6b7d');
const BLUE = hex('#2563eb');
const GREEN = hex('#22c55e');
const AMBER = hex('#f59e0b');
const RED = hex('#dc2626');

/** A vertical gradient from `top` at y0 to `bottom` at y1 (design units). */
const vertical = (top, bottom, y0, y1) => (_x, y) => {
  const t = Math.min(1, Math.max(0, (y - y0) / (y1 - y0)));
  return top.map((c, i) => c + (bottom[i] - c) * t);
};
const APP_TOP = hex('#4f8ff7');
const APP_BOTTOM = hex('#1d4ed8');

// ---------------------------------------------------------------------------------------------
// Signed distance functions (negative inside), in design units.

const len = (x, y) => Math.sqrt(x * x + y * y);
const circle = (cx, cy, r) => (x, y) => len(x - cx, y - cy) - r;
const ring = (cx, cy, r, width) => (x, y) => Math.abs(len(x - cx, y - cy) - r) - width / 2;
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const qx = Math.abs(x - (x0 + x1) / 2) - ((x1 - x0) / 2 - r);
  const qy = Math.abs(y - (y0 + y1) / 2) - ((y1 - y0) / 2 - r);
  return len(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
/** A stroke of radius r along a polyline, with round caps and joins. */
const stroke = (points, r) => (x, y) => {
  let best = Infinity;
  for (let i = 0; i + 1 < points.length; i++) {
    const [ax, ay] = points[i];
    const [bx, by] = points[i + 1];
    const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
    const h = Math.min(1, Math.max(0, (px * dx + py * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, len(px - dx * h, py - dy * h));
  }
  return best - r;
};
const outline = (shape, width) => (x, y) => Math.abs(shape(x, y)) - width / 2;
const union = (...shapes) => (x, y) => Math.min(...shapes.map((s) => s(x, y)));

// ---------------------------------------------------------------------------------------------
// Rasteriser. A layer is { shape, fill } painted over, or { shape, erase: true } punched out;
// `soft` (pixels) widens the edge for shadows.

function render(size, designSize, layers) {
  const scale = size / designSize;
  const n = SUPERSAMPLE;
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let sr = 0, sg = 0, sb = 0, sa = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / scale;
          const y = (py + (sy + 0.5) / n) / scale;
          let r = 0, g = 0, b = 0, a = 0; // premultiplied
          for (const layer of layers) {
            const d = layer.shape(x, y) * scale; // pixels
            const edge = layer.soft ?? 1 / n;
            const cover = Math.min(1, Math.max(0, 0.5 - d / edge));
            if (cover === 0) continue;
            if (layer.erase) {
              r *= 1 - cover; g *= 1 - cover; b *= 1 - cover; a *= 1 - cover;
              continue;
            }
            const [fr, fg, fb, fa] = typeof layer.fill === 'function' ? layer.fill(x, y) : layer.fill;
            const k = cover * fa;
            r = fr * k + r * (1 - k); g = fg * k + g * (1 - k); b = fb * k + b * (1 - k); a = k + a * (1 - k);
          }
          sr += r; sg += g; sb += b; sa += a;
        }
      }
      const i = (py * size + px) * 4;
      const alpha = Math.round((sa / (n * n)) * 255);
      if (alpha === 0) continue;
      out[i] = Math.round((sr / sa) * 255);
      out[i + 1] = Math.round((sg / sa) * 255);
      out[i + 2] = Math.round((sb / sa) * 255);
      out[i + 3] = alpha;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Designs. Tray icons use a 16-unit grid (1 unit = 1 px at 16, 2 px at 32).

const TRAY_GRID = 16;
const BADGE = { x: 12.5, y: 3.5, r: 3.5, gap: 1 };
/** The ">_" glyph: chevron tip at (x + w, 8), underscore on row y (pixel-aligned at 16 and 32 px). */
const prompt = (x, w, underscore, r) =>
  union(stroke([[x, 8 - w], [x + w, 8], [x, 8 + w]], r), stroke([[underscore[0], underscore[2]], [underscore[1], underscore[2]]], r));
/** The gap punched out of the square around a badge. */
const BADGE_GAP = { shape: circle(BADGE.x, BADGE.y, BADGE.r + BADGE.gap), erase: true };

/** Colour badges: green dot, amber ring, red disc with a white "!". */
function colourBadge(state) {
  const disc = circle(BADGE.x, BADGE.y, BADGE.r);
  switch (state) {
    case 'busy':
      return [BADGE_GAP, { shape: disc, fill: GREEN }];
    case 'queued':
      return [BADGE_GAP, { shape: ring(BADGE.x, BADGE.y, BADGE.r - 0.875, 1.75), fill: AMBER }];
    case 'degraded': {
      const bang = union(stroke([[BADGE.x, 1.4], [BADGE.x, 3.9]], 0.65), circle(BADGE.x, 5.5, 0.65));
      return [BADGE_GAP, { shape: disc, fill: RED }, { shape: bang, fill: WHITE }];
    }
    default:
      return [];
  }
}

/** Template badges, told apart by shape alone: filled dot, hollow ring, "!". */
function templateBadge(state) {
  switch (state) {
    case 'busy':
      return [BADGE_GAP, { shape: circle(BADGE.x, BADGE.y, 3), fill: BLACK }];
    case 'queued':
      return [BADGE_GAP, { shape: ring(BADGE.x, BADGE.y, 2.3, 1.4), fill: BLACK }];
    case 'degraded':
      return [BADGE_GAP, { shape: union(stroke([[BADGE.x, 0.6], [BADGE.x, 4.2]], 0.9), circle(BADGE.x, 6.4, 0.95)), fill: BLACK }];
    default:
      return [];
  }
}

/** Colour tray icon (Windows/Linux); `body` may be a colour or a gradient. */
function trayLayers(state, body) {
  return [
    { shape: roundRect(0.5, 0.5, 15.5, 15.5, 3.5), fill: body },
    { shape: prompt(4, 3.5, [9, 12, 11], 1), fill: WHITE },
    ...colourBadge(state),
  ];
}

/** macOS template image: black on transparent, alpha carries the shape. */
function templateLayers(state) {
  return [
    { shape: outline(roundRect(1.75, 1.75, 14.25, 14.25, 3), 1.5), fill: BLACK },
    { shape: prompt(4.5, 3, [9, 11.5, 10.75], 0.8), fill: BLACK },
    ...templateBadge(state),
  ];
}

const TRAY_BODY = { idle: SLATE, busy: BLUE, queued: BLUE, degraded: SLATE };

/** App icon on a 512-unit grid: a terminal window (three session dots) with the prompt. */
const APP_GRID = 512;
function appLayers() {
  const body = roundRect(48, 48, 464, 464, 92);
  return [
    { shape: roundRect(52, 60, 460, 472, 92), fill: hex('#0b1f4d', 0.45), soft: 12 },
    { shape: body, fill: vertical(APP_TOP, APP_BOTTOM, 48, 464) },
    { shape: outline(roundRect(52, 52, 460, 460, 88), 6), fill: hex('#ffffff', 0.12) },
    { shape: roundRect(48, 166, 464, 170, 0), fill: hex('#0b1f4d', 0.18) },
    ...[116, 160, 204].map((cx) => ({ shape: circle(cx, 108, 15), fill: hex('#ffffff', 0.6) })),
    { shape: stroke([[138, 222], [232, 302], [138, 382]], 27), fill: WHITE },
    { shape: stroke([[272, 382], [372, 382]], 27), fill: WHITE },
  ];
}

/** App icon at a size: below 48 px the tray geometry (made for small sizes) in the app colours. */
function appIcon(size) {
  if (size < 48) return render(size, TRAY_GRID, trayLayers('idle', vertical(APP_TOP, APP_BOTTOM, 0.5, 15.5)));
  return render(size, APP_GRID, appLayers());
}

// ---------------------------------------------------------------------------------------------
// PNG and ICO encoding.

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** RGBA 8-bit PNG, every scanline with filter type 0. */
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, filter 0, no interlace
  const stride = size * 4;
  const raw = Buffer.alloc(size * (stride + 1));
  for (let y = 0; y < size; y++) raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const idat = deflateSync(raw, { level: 9 });
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** ICO holding PNG images, `images` as [{ size, png }]. */
function encodeIco(images) {
  const dir = Buffer.alloc(6 + 16 * images.length);
  dir.writeUInt16LE(0, 0); // reserved
  dir.writeUInt16LE(1, 2); // type 1 = icon
  dir.writeUInt16LE(images.length, 4);
  let offset = dir.length;
  images.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i;
    dir.writeUInt8(size >= 256 ? 0 : size, e); // 0 means 256
    dir.writeUInt8(size >= 256 ? 0 : size, e + 1);
    dir.writeUInt8(0, e + 2); // no palette
    dir.writeUInt8(0, e + 3); // reserved
    dir.writeUInt16LE(1, e + 4); // planes
    dir.writeUInt16LE(32, e + 6); // bits per pixel
    dir.writeUInt32LE(png.length, e + 8);
    dir.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([dir, ...images.map((img) => img.png)]);
}

// ---------------------------------------------------------------------------------------------
// The file set.

/** Every output file, path relative to the repository root -> bytes. */
function buildAll() {
  const files = new Map();
  for (const state of STATES) {
    const tray = (size) => encodePng(size, render(size, TRAY_GRID, trayLayers(state, TRAY_BODY[state])));
    const template = (size) => encodePng(size, render(size, TRAY_GRID, templateLayers(state)));
    const png16 = tray(16);
    const png32 = tray(32);
    files.set(`assets/tray/${state}-16.png`, png16);
    files.set(`assets/tray/${state}-32.png`, png32);
    files.set(`assets/tray/${state}.ico`, encodeIco([{ size: 16, png: png16 }, { size: 32, png: png32 }]));
    files.set(`assets/tray/${state}Template.png`, template(16));
    files.set(`assets/tray/${state}Template@2x.png`, template(32));
  }
  files.set('assets/icon.png', encodePng(512, appIcon(512)));
  files.set('assets/icon.ico', encodeIco(APP_ICO_SIZES.map((size) => ({ size, png: encodePng(size, appIcon(size)) }))));
  return files;
}

// ---------------------------------------------------------------------------------------------
// --check compares content, not compressed bytes: another Node's zlib may compress the same
// pixels differently, and that is not a difference worth failing on.

/** A PNG's chunks as one string, IDAT joined and inflated; null unless well formed to the last byte. */
function pngContent(buf) {
  if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
  const parts = [];
  const idat = [];
  let at = 8;
  let type = '';
  while (type !== 'IEND') {
    if (at + 12 > buf.length || at + 12 + buf.readUInt32BE(at) > buf.length) return null;
    const length = buf.readUInt32BE(at);
    type = buf.toString('latin1', at + 4, at + 8);
    if (crc32(buf.subarray(at + 4, at + 8 + length)) !== buf.readUInt32BE(at + 8 + length)) return null;
    const data = buf.subarray(at + 8, at + 8 + length);
    if (type === 'IDAT') idat.push(data);
    else parts.push(`${type}:${data.toString('hex')}`);
    at += 12 + length;
  }
  if (at !== buf.length) return null;
  try {
    return [...parts, `IDAT:${inflateSync(Buffer.concat(idat)).toString('hex')}`].join('|');
  } catch {
    return null; // corrupt deflate stream: the caller reports the file as different
  }
}

/** The images of an ICO as [{ size, png }]; null unless it is exactly what encodeIco writes for them. */
function icoImages(buf) {
  if (buf.length < 6 || buf.length < 6 + 16 * buf.readUInt16LE(4)) return null;
  const images = [];
  for (let i = 0; i < buf.readUInt16LE(4); i++) {
    const e = 6 + 16 * i;
    const offset = buf.readUInt32LE(e + 12);
    const length = buf.readUInt32LE(e + 8);
    if (offset + length > buf.length) return null;
    images.push({ size: buf[e] || 256, png: buf.subarray(offset, offset + length) });
  }
  return encodeIco(images).equals(buf) ? images : null;
}

/** Whether the file on disk holds the same pixels and structure as the generated bytes. */
function sameContent(file, actual, expected) {
  if (actual.equals(expected)) return true;
  if (file.endsWith('.png')) {
    const content = pngContent(actual);
    return content !== null && content === pngContent(expected);
  }
  const got = icoImages(actual);
  const want = icoImages(expected) ?? [];
  return got !== null && got.length === want.length &&
    got.every((img, i) => img.size === want[i].size && sameContent('.png', img.png, want[i].png));
}

function main(args) {
  const check = args.includes('--check');
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`make-icons: unknown argument(s) ${unknown.join(' ')}\nusage: node scripts/make-icons.mjs [--check]`);
    return 2;
  }
  const files = buildAll();
  if (check) {
    const stale = [...files].filter(([file, bytes]) => {
      const target = path.join(ROOT, file);
      return !existsSync(target) || !sameContent(file, readFileSync(target), bytes);
    });
    if (stale.length === 0) {
      console.log(`make-icons: all ${files.size} icon files are up to date.`);
      return 0;
    }
    console.error(`make-icons: ${stale.length} icon file(s) differ from the generator output:`);
    for (const [file] of stale) console.error(`  ${file}${existsSync(path.join(ROOT, file)) ? '' : ' (missing)'}`);
    console.error('Run `node scripts/make-icons.mjs` to regenerate them.');
    return 1;
  }
  for (const [file, bytes] of files) {
    const target = path.join(ROOT, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  console.log(`make-icons: wrote ${files.size} files under assets/.`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
