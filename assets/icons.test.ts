import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const ASSETS = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(ASSETS);
const STATES = ['idle', 'busy', 'queued', 'degraded'] as const;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlace: number;
}

interface IcoEntry {
  width: number;
  height: number;
  planes: number;
  bitCount: number;
  bytes: number;
  offset: number;
}

const read = (file: string): Buffer => readFileSync(path.join(ASSETS, file));

/** Signature and IHDR (always the first chunk). */
function pngHeader(buf: Buffer): PngHeader {
  expect(buf.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature').toBe(true);
  expect(buf.readUInt32BE(8), 'IHDR length').toBe(13);
  expect(buf.toString('latin1', 12, 16), 'first chunk').toBe('IHDR');
  return {
    width: buf.readUInt32BE(16),
    height: buf.readUInt32BE(20),
    bitDepth: buf.readUInt8(24),
    colourType: buf.readUInt8(25),
    interlace: buf.readUInt8(28),
  };
}

/** RGBA pixels of an 8-bit RGBA, non-interlaced PNG whose scanlines use filter 0 (None). */
function decodePng(buf: Buffer, name: string): { header: PngHeader; pixels: Buffer } {
  const header = pngHeader(buf);
  expect([header.bitDepth, header.colourType, header.interlace], `${name}: 8-bit RGBA, not interlaced`).toEqual([8, 6, 0]);
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= buf.length; ) {
    const length = buf.readUInt32BE(at);
    if (buf.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = header.width * 4;
  expect(raw.length, `${name}: inflated size`).toBe(header.height * (stride + 1));
  const pixels = Buffer.alloc(header.height * stride);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)];
    if (filter !== 0) {
      throw new Error(`${name}: scanline ${y} uses PNG filter type ${filter}; this decoder handles only filter 0 (None)`);
    }
    raw.copy(pixels, y * stride, y * (stride + 1) + 1, (y + 1) * (stride + 1));
  }
  return { header, pixels };
}

/** ICONDIR (type 1 = icon) and its ICONDIRENTRYs. */
function parseIco(buf: Buffer): { type: number; entries: IcoEntry[] } {
  expect(buf.readUInt16LE(0), 'ICONDIR reserved').toBe(0);
  const count = buf.readUInt16LE(4);
  const entries = Array.from({ length: count }, (_, i) => {
    const e = 6 + 16 * i;
    return {
      width: buf.readUInt8(e),
      height: buf.readUInt8(e + 1),
      planes: buf.readUInt16LE(e + 4),
      bitCount: buf.readUInt16LE(e + 6),
      bytes: buf.readUInt32LE(e + 8),
      offset: buf.readUInt32LE(e + 12),
    };
  });
  return { type: buf.readUInt16LE(2), entries };
}

/** Checks an .ico holds one 32-bit PNG per size, in order (256 stored as 0), and returns the PNGs. */
function expectIco(file: string, sizes: number[]): Buffer[] {
  const buf = read(file);
  const { type, entries } = parseIco(buf);
  expect(type, `${file}: type`).toBe(1);
  expect(entries.map((e) => [e.width, e.height]), `${file}: sizes`).toEqual(sizes.map((s) => [s % 256, s % 256]));
  return entries.map((entry, i) => {
    expect([entry.planes, entry.bitCount], `${file}: entry ${i} planes, bpp`).toEqual([1, 32]);
    expect(entry.offset + entry.bytes, `${file}: entry ${i} inside the file`).toBeLessThanOrEqual(buf.length);
    const png = buf.subarray(entry.offset, entry.offset + entry.bytes);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE), `${file}: entry ${i} is a PNG`).toBe(true);
    const header = pngHeader(png);
    expect([header.width, header.height], `${file}: entry ${i} PNG size`).toEqual([sizes[i], sizes[i]]);
    return png;
  });
}

function expectRgbaPng(file: string, size: number): void {
  expect(pngHeader(read(file)), file).toMatchObject({ width: size, height: size, bitDepth: 8, colourType: 6 });
}

describe('tray icons', () => {
  it.each(STATES)('%s: RGBA PNGs at 16 and 32 px, template images at 16 and 32 px', (state) => {
    expectRgbaPng(`tray/${state}-16.png`, 16);
    expectRgbaPng(`tray/${state}-32.png`, 32);
    expectRgbaPng(`tray/${state}Template.png`, 16);
    expectRgbaPng(`tray/${state}Template@2x.png`, 32);
  });

  it.each(STATES)('%s.ico embeds the 16 and 32 px PNGs', (state) => {
    const [png16, png32] = expectIco(`tray/${state}.ico`, [16, 32]);
    expect(png16?.equals(read(`tray/${state}-16.png`)), `${state}.ico 16 px entry is tray/${state}-16.png`).toBe(true);
    expect(png32?.equals(read(`tray/${state}-32.png`)), `${state}.ico 32 px entry is tray/${state}-32.png`).toBe(true);
  });

  it.each(STATES)('%s template images are pure black: only alpha carries the shape', (state) => {
    for (const file of [`tray/${state}Template.png`, `tray/${state}Template@2x.png`]) {
      const { pixels } = decodePng(read(file), file);
      let inked = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] === 0) continue;
        inked++;
        expect([pixels[i], pixels[i + 1], pixels[i + 2]], `${file}: pixel ${i / 4}`).toEqual([0, 0, 0]);
      }
      expect(inked, `${file}: has a shape`).toBeGreaterThan(0);
    }
  });

  it('the four states differ from each other at 32 px, in colour and as templates', () => {
    for (const suffix of ['-32.png', 'Template@2x.png']) {
      const images = STATES.map((state) => decodePng(read(`tray/${state}${suffix}`), `${state}${suffix}`).pixels);
      for (let a = 0; a < images.length; a++) {
        for (let b = a + 1; b < images.length; b++) {
          expect(images[a]?.equals(images[b] ?? Buffer.alloc(0)), `${STATES[a]} vs ${STATES[b]} (${suffix})`).toBe(false);
        }
      }
    }
  });

  it('edges are anti-aliased (partial alpha present)', () => {
    const { pixels } = decodePng(read('tray/idle-32.png'), 'idle-32.png');
    const partial = pixels.filter((_, i) => i % 4 === 3).some((alpha) => alpha > 0 && alpha < 255);
    expect(partial).toBe(true);
  });
});

describe('app icon', () => {
  it('icon.png is 512 x 512 RGBA', () => {
    expectRgbaPng('icon.png', 512);
  });

  it('icon.ico holds 16, 32, 48 and 256 px PNGs', () => {
    expectIco('icon.ico', [16, 32, 48, 256]);
  });
});

describe('scripts/make-icons.mjs', () => {
  it('the committed files equal the generator output (--check)', () => {
    // Throws with the script's stderr (the files that differ) when it exits non-zero.
    const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'make-icons.mjs'), '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    expect(out).toMatch(/up to date/);
  }, 60_000);
});
