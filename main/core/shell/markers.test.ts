import { describe, expect, it } from 'vitest';
import { decodeEndPayload, parseMarker } from './markers.js';

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64');

describe('parseMarker', () => {
  it('parses each kind', () => {
    expect(parseMarker('n0nce;0;ready;0')).toEqual({ nonce: 'n0nce', seq: 0, kind: 'ready', payload: '0' });
    expect(parseMarker('abc;7;start;')).toEqual({ nonce: 'abc', seq: 7, kind: 'start', payload: '' });
    expect(parseMarker('abc;7;part;3000')).toEqual({ nonce: 'abc', seq: 7, kind: 'part', payload: '3000' });
    expect(parseMarker('abc;123456789;end;eyJ9')).toEqual({ nonce: 'abc', seq: 123456789, kind: 'end', payload: 'eyJ9' });
  });

  it('keeps semicolons inside the payload', () => {
    expect(parseMarker('abc;2;end;a;b;;c')).toEqual({ nonce: 'abc', seq: 2, kind: 'end', payload: 'a;b;;c' });
  });

  it('rejects a malformed sequence number', () => {
    expect(parseMarker('abc;;end;x')).toBeUndefined();
    expect(parseMarker('abc;-1;end;x')).toBeUndefined();
    expect(parseMarker('abc;1.5;end;x')).toBeUndefined();
    expect(parseMarker('abc;1e3;end;x')).toBeUndefined();
    expect(parseMarker('abc; 1;end;x')).toBeUndefined();
    expect(parseMarker('abc;x1;end;x')).toBeUndefined();
    expect(parseMarker('abc;1234567890;end;x')).toBeUndefined(); // more than 9 digits
  });

  it('rejects an unknown or differently spelled kind', () => {
    expect(parseMarker('abc;1;finish;x')).toBeUndefined();
    expect(parseMarker('abc;1;END;x')).toBeUndefined();
    expect(parseMarker('abc;1;;x')).toBeUndefined();
  });

  it('rejects data with too few fields', () => {
    expect(parseMarker('')).toBeUndefined();
    expect(parseMarker('abc')).toBeUndefined();
    expect(parseMarker('abc;1;end')).toBeUndefined();
  });
});

const fullReport = {
  success: false,
  exitCode: 1,
  nativeRan: false,
  errorCount: 2,
  errors: [
    {
      message: "Cannot find path '/nope' because it does not exist.",
      fullyQualifiedErrorId: 'PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand',
      category: 'ObjectNotFound',
      exceptionType: 'System.Management.Automation.ItemNotFoundException',
      targetName: '/nope',
      position: 'At line:1 char:1\n+ Get-Item /nope',
      scriptStackTrace: '',
    },
    {
      message: 'boom — ünïcødé',
      fullyQualifiedErrorId: 'RuntimeException',
      category: 'OperationStopped',
      exceptionType: 'System.Management.Automation.RuntimeException',
      targetName: 'boom',
      position: '',
      scriptStackTrace: 'at <ScriptBlock>, <No file>: line 2',
    },
  ],
  cwd: '/home/ann/projects; with semicolon',
  exited: false,
};

describe('decodeEndPayload', () => {
  it('decodes a full report', () => {
    expect(decodeEndPayload(b64(fullReport))).toEqual({ ok: true, report: fullReport });
  });

  it('decodes a success without errors, and treats a missing errors field as none', () => {
    const report = { success: true, exitCode: 0, nativeRan: true, errorCount: 0, errors: [], cwd: 'C:\\Users\\ann', exited: false };
    expect(decodeEndPayload(b64(report))).toEqual({ ok: true, report });
    const { errors: _errors, ...withoutErrors } = report;
    expect(decodeEndPayload(b64(withoutErrors))).toEqual({ ok: true, report });
  });

  it('accepts the single-object errors form that Windows PowerShell ConvertTo-Json produces', () => {
    const single = { ...fullReport, errorCount: 1, errors: fullReport.errors[0] };
    expect(decodeEndPayload(b64(single))).toEqual({ ok: true, report: { ...single, errors: [fullReport.errors[0]] } });
  });

  it('fills missing error fields with empty strings (the fallback record has only a message)', () => {
    const partial = { ...fullReport, errorCount: 1, errors: [{ message: 'poshpool could not collect the error records: x' }] };
    const r = decodeEndPayload(b64(partial));
    expect(r).toEqual({
      ok: true,
      report: {
        ...partial,
        errors: [
          {
            message: 'poshpool could not collect the error records: x',
            fullyQualifiedErrorId: '',
            category: '',
            exceptionType: '',
            targetName: '',
            position: '',
            scriptStackTrace: '',
          },
        ],
      },
    });
    const singlePartial = decodeEndPayload(b64({ ...fullReport, errors: { message: 'only' } }));
    expect(singlePartial.ok && singlePartial.report.errors).toEqual([
      { message: 'only', fullyQualifiedErrorId: '', category: '', exceptionType: '', targetName: '', position: '', scriptStackTrace: '' },
    ]);
  });

  it('accepts the exit report of `exit N`', () => {
    const report = { success: false, exitCode: 42, nativeRan: true, errorCount: 0, errors: [], cwd: '/tmp', exited: true };
    expect(decodeEndPayload(b64(report))).toEqual({ ok: true, report });
  });

  it('refuses a payload that is not base64 JSON', () => {
    for (const payload of ['', '!!!not base64!!!', b64('not json'), b64('{"success": tru'), 'eyJ']) {
      const r = decodeEndPayload(payload);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(/^end marker payload is not base64 JSON: /);
    }
  });

  it('refuses JSON of the wrong shape', () => {
    const wrong: unknown[] = [
      null,
      42,
      [fullReport],
      { ...fullReport, success: 'true' },
      { ...fullReport, exitCode: 1.5 },
      { ...fullReport, exitCode: null },
      { ...fullReport, errorCount: -1 },
      { ...fullReport, errors: 'oops' },
      { ...fullReport, errors: [{ message: 42 }] },
      { ...fullReport, errors: [null] },
      (({ cwd: _cwd, ...rest }) => rest)(fullReport),
      (({ exited: _exited, ...rest }) => rest)(fullReport),
    ];
    for (const value of wrong) {
      const r = decodeEndPayload(b64(JSON.stringify(value)));
      expect(r.ok, JSON.stringify(value)).toBe(false);
      expect(!r.ok && r.reason).toMatch(/^end marker payload has an unexpected shape: /);
    }
  });

  it('names the offending field in the reason', () => {
    const r = decodeEndPayload(b64({ ...fullReport, cwd: 5 }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('cwd');
  });
});
