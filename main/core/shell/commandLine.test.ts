import { describe, expect, it } from 'vitest';
import { buildCommandLines, MAX_LINE_CHARS } from './commandLine.js';
import { loadIntegrationScript } from './launch.js';

const PART = /^#poshpool-part ([A-Za-z0-9+/=]*)\r$/;

/** The base64 text of the command line's own segment. */
function lastSegment(line: string): string {
  const m = /^#poshpool-run \d+ ([A-Za-z0-9+/=]*)\r$/.exec(line);
  if (!m) throw new Error(`no encoded segment in ${JSON.stringify(line)}`);
  return m[1]!;
}

/** Reassembles what pwsh receives: the parts, then the line's segment, decoded. */
function decode(lines: { parts: string[]; line: string }): string {
  const encoded = lines.parts.map((p) => PART.exec(p)![1]).join('') + lastSegment(lines.line);
  return Buffer.from(encoded, 'base64').toString('utf8');
}

describe('buildCommandLines', () => {
  it("marks poshpool's own command (hidden) after its sequence number, so the session leaves it out of its history", () => {
    expect(buildCommandLines('Set-Location /', 4, 256, MAX_LINE_CHARS.pwsh, true).line).toMatch(/^#poshpool-run 4~ [A-Za-z0-9+/=]+\r$/);
    expect(buildCommandLines('Set-Location /', 4, 256).line).toMatch(/^#poshpool-run 4 /);
  });

  it('sends a short command as one short run line: no parts, so no acknowledgement to wait for', () => {
    const r = buildCommandLines('Get-ChildItem', 3, 256);
    expect(r.parts).toEqual([]);
    expect(r.line).toBe('#poshpool-run 3 R2V0LUNoaWxkSXRlbQ==\r');
  });

  it('makes one line ending in a carriage return that carries the sequence number', () => {
    const { line } = buildCommandLines('echo "a"\necho \'b\'', 917, 256);
    expect(line.endsWith('\r')).toBe(true);
    expect(line.indexOf('\r')).toBe(line.length - 1);
    expect(line).not.toContain('\n');
    expect(line.startsWith('#poshpool-run 917 ')).toBe(true);
  });

  it('refuses a sequence number that is not a non-negative integer', () => {
    expect(() => buildCommandLines('x', -1, 256)).toThrow(RangeError);
    expect(() => buildCommandLines('x', 1.5, 256)).toThrow(RangeError);
  });

  it('handles an empty command', () => {
    const r = buildCommandLines('', 1, 256);
    expect(r.parts).toEqual([]);
    expect(lastSegment(r.line)).toBe('');
    expect(decode(r)).toBe('');
  });

  it('splits a long command into parts of exactly partChars base64 characters', () => {
    const command = 'Write-Output "hello";'.repeat(40);
    const encoded = Buffer.from(command, 'utf8').toString('base64');
    const r = buildCommandLines(command, 5, 64);
    expect(r.parts.length).toBe(Math.ceil(encoded.length / 64) - 1);
    for (const p of r.parts) {
      expect(p).toMatch(PART);
      expect(PART.exec(p)![1]).toHaveLength(64);
    }
    const last = lastSegment(r.line);
    expect(last.length).toBeGreaterThan(0);
    expect(last.length).toBeLessThanOrEqual(64);
    expect(r.parts.map((p) => PART.exec(p)![1]).join('') + last).toBe(encoded);
    expect(decode(r)).toBe(command);
  });

  it('puts exactly partChars characters on the line without parts; one character more starts a part', () => {
    // 12 bytes encode to 16 base64 characters.
    const twelve = 'abcdefghijkl';
    expect(buildCommandLines(twelve, 1, 16).parts).toEqual([]);
    expect(lastSegment(buildCommandLines(twelve, 1, 16).line)).toHaveLength(16);
    const r = buildCommandLines(twelve, 1, 15);
    expect(r.parts).toEqual(['#poshpool-part YWJjZGVmZ2hpamt\r']);
    expect(lastSegment(r.line)).toBe('s');
    // Twice partChars: one part and a full last segment, never an empty one.
    const two = buildCommandLines(twelve, 1, 8);
    expect(two.parts).toEqual(['#poshpool-part YWJjZGVm\r']);
    expect(lastSegment(two.line)).toBe('Z2hpamts');
  });

  it('round-trips unicode, quotes, here-strings, backticks, $_ and newlines', () => {
    const command = [
      "$s = @'",
      "it's a 'here-string' with \"double\" quotes",
      "'@",
      '$x = "tab`there"; Get-ChildItem | ForEach-Object { $_.Name }',
      'Write-Output "日本語 ünïcødé 😀 — ok"',
      "if ($true) {\r\n  'crlf'\r\n}",
      '',
    ].join('\n');
    for (const partChars of [4, 7, 256, 3000]) {
      const r = buildCommandLines(command, 12, partChars);
      expect(decode(r)).toBe(command);
      for (const p of r.parts) expect(PART.exec(p)![1]).toHaveLength(partChars);
      for (const l of [...r.parts, r.line]) {
        expect(l.endsWith('\r')).toBe(true);
        expect(l.slice(0, -1)).not.toMatch(/[\r\n]/);
      }
    }
  });

  it('handles a very long command with the default part size', () => {
    const command = Array.from({ length: 5000 }, (_, i) => `Write-Output 'line ${i} é'`).join('\n');
    const r = buildCommandLines(command, 99, 3000);
    expect(r.parts.length).toBeGreaterThan(10);
    expect(decode(r)).toBe(command);
  });

  it('refuses a part size that would never consume the text', () => {
    expect(() => buildCommandLines('x', 1, 0)).toThrow(RangeError);
    expect(() => buildCommandLines('x', 1, -5)).toThrow(RangeError);
    expect(() => buildCommandLines('x', 1, 2.5)).toThrow(RangeError);
    expect(() => buildCommandLines('x', 1, Number.NaN)).toThrow(RangeError);
  });
});

describe('line limits per PowerShell', () => {
  it('never sends Windows PowerShell 5.1 a line it would cut at 254 characters', () => {
    const command = 'Write-Output "héllo wörld";'.repeat(300);
    const r = buildCommandLines(command, 123456, 3000, MAX_LINE_CHARS.powershell);
    expect(r.parts.length).toBeGreaterThan(10);
    for (const line of [...r.parts, r.line]) expect(line.replace(/\r$/, '').length).toBeLessThanOrEqual(250);
    expect(decode(r)).toBe(command);
  });

  it('keeps pwsh 7 lines within .NET\'s 4096-character console read buffer', () => {
    const command = 'x'.repeat(50_000);
    const r = buildCommandLines(command, 7, 3500, MAX_LINE_CHARS.pwsh);
    for (const line of [...r.parts, r.line]) expect(line.length).toBeLessThan(4096);
    expect(decode(r)).toBe(command);
  });

  it('refuses a line limit that leaves no room for the command', () => {
    expect(() => buildCommandLines('x', 1, 3000, 18)).toThrow(RangeError);
  });
});

describe('loadIntegrationScript', () => {
  it('reads the integration script that defines the functions the command line calls', () => {
    const script = loadIntegrationScript();
    for (const name of ['Enter-PoshpoolCommand', 'Exit-PoshpoolCommand', 'Write-PoshpoolCaught', '#poshpool-part ', '#poshpool-run ']) {
      expect(script).toContain(name);
    }
  });
});
