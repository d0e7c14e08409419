import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema, defaultConfig } from './schema.js';
import { validateConfig, type ConfigProblem } from './issues.js';

/** The defaults, read from the schema so these tests follow when a default is tuned. */
const d = defaultConfig();

/** The problems of an invalid config, by path. */
function problemsOf(raw: unknown): Map<string, string> {
  const r = validateConfig(raw);
  if (r.ok) throw new Error('expected the config to be rejected');
  return new Map(r.problems.map((p: ConfigProblem) => [p.path, p.message]));
}

describe('validateConfig: valid configs', () => {
  it('fills every default for an empty object', () => {
    expect(validateConfig({})).toEqual({ ok: true, config: defaultConfig() });
  });

  it('keeps the fields given, nested ones too', () => {
    const r = validateConfig({ maxSessions: 8, warmSessions: 8, shell: { cols: 300, loadProfile: true } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.maxSessions).toBe(8);
    expect(r.config.warmSessions).toBe(8);
    expect(r.config.shell.cols).toBe(300);
    expect(r.config.shell.loadProfile).toBe(true);
    expect(r.config.shell.rows).toBe(50);
    expect(r.config.auditMaxFiles).toBe(5);
  });
});

describe('validateConfig: field errors', () => {
  it('lists every bad field at once, with its dotted path, the value found and what is allowed', () => {
    const problems = problemsOf({
      warmSessions: 2.5,
      maxWaiting: 'many',
      etaAlpha: 0,
      idleLimitSeconds: null,
      shell: { cols: 20, loadProfile: 'yes', path: 3, rows: 1e20 },
    });
    expect([...problems.keys()]).toEqual(['warmSessions', 'maxWaiting', 'idleLimitSeconds', 'etaAlpha', 'shell.path', 'shell.loadProfile', 'shell.cols', 'shell.rows']);
    expect(problems.get('warmSessions')).toBe(`found 2.5: it must be a whole number. Allowed: a whole number from 0 to 64, default ${d.warmSessions} (Sessions kept warm and ready at all times).`);
    expect(problems.get('maxWaiting')).toBe(
      `found "many": expected a number, not a string. Allowed: a whole number from 0 to 100000, default ${d.maxWaiting} (Requests that may wait in the queue).`,
    );
    expect(problems.get('etaAlpha')).toBe(
      `found 0: it must be more than 0. Allowed: a number more than 0 and at most 1, default ${d.etaAlpha} (Weight of the newest hold time in the ETA moving average).`,
    );
    expect(problems.get('idleLimitSeconds')).toBe(
      `found null: expected a number, not null. Allowed: a number at least 1, default ${d.idleLimitSeconds} (Idle time before a session is reported abandoned (s)).`,
    );
    expect(problems.get('shell.cols')).toBe(`found 20: it must be at least 40. Allowed: a whole number from 40 to 1000, default ${d.shell.cols} (Terminal columns).`);
    expect(problems.get('shell.loadProfile')).toBe(
      `found "yes": expected true or false, not a string. Allowed: true or false, default ${d.shell.loadProfile} (Load the user's PowerShell profile).`,
    );
    expect(problems.get('shell.path')).toBe(
      `found 3: expected a string, not a whole number. Allowed: a string, default ${JSON.stringify(d.shell.path)} (Path to pwsh or powershell.exe; empty to discover it).`,
    );
    // Two upper bounds are broken (the safe-integer limit and 500): only the tighter one is said.
    expect(problems.get('shell.rows')).toBe(`found 100000000000000000000: it must be at most 500. Allowed: a whole number from 10 to 500, default ${d.shell.rows} (Terminal rows).`);
  });

  it('does not invent an upper bound for fields that only have a lower one', () => {
    const problems = problemsOf({ auditMaxBytes: 10 });
    expect(problems.get('auditMaxBytes')).toBe(`found 10: it must be at least 1024. Allowed: a whole number at least 1024, default ${d.auditMaxBytes} (Audit log size before rotation (bytes)).`);
  });

  it('rejects maxSessions below 1 with the allowed range', () => {
    const problems = problemsOf({ maxSessions: 0, warmSessions: 0 });
    expect([...problems.keys()]).toEqual(['maxSessions']);
    expect(problems.get('maxSessions')).toBe(`found 0: it must be at least 1. Allowed: a whole number from 1 to 64, default ${d.maxSessions} (Sessions lent at once at most).`);
  });

  it('explains a section that is not an object', () => {
    const problems = problemsOf({ shell: 'pwsh' });
    expect(problems.get('shell')).toMatch(/^found "pwsh": expected an object, not a string\. Allowed: an object, with the fields path, loadProfile, cols, rows, /);
  });

  it('shortens a long value in the message', () => {
    const message = problemsOf({ maxSessions: 'x'.repeat(500) }).get('maxSessions') ?? '';
    expect(message.startsWith(`found "${'x'.repeat(78)}…: expected a number`)).toBe(true);
  });

  it('says the config as a whole must be an object', () => {
    for (const raw of [[], null, 'text', 42]) {
      const r = validateConfig(raw);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]?.path).toBe('');
      expect(r.problems[0]?.message).toContain('the config must be a JSON object such as {"maxSessions": 5}');
    }
    const arr = validateConfig([]);
    expect(!arr.ok && arr.problems[0]?.message).toBe('the config must be a JSON object such as {"maxSessions": 5}, but the file holds an array');
  });
});

describe('validateConfig: unknown fields', () => {
  it('rejects a misspelt field and suggests the known one', () => {
    const problems = problemsOf({ maxSesions: 4, WarmSessions: 2 });
    expect(problems.get('maxSesions')).toBe('unknown field. Did you mean "maxSessions"?');
    expect(problems.get('WarmSessions')).toBe('unknown field. Did you mean "warmSessions"?');
  });

  it('rejects unknown fields inside a section with the dotted path', () => {
    const problems = problemsOf({ shell: { colz: 120, loadProfil: true } });
    expect(problems.get('shell.colz')).toBe('unknown field. Did you mean "shell.cols"?');
    expect(problems.get('shell.loadProfil')).toBe('unknown field. Did you mean "shell.loadProfile"?');
  });

  it('points a field put in the wrong section to where it belongs', () => {
    const problems = problemsOf({ cols: 120, shell: { maxSessions: 3 } });
    expect(problems.get('cols')).toBe('unknown field. Did you mean "shell.cols"?');
    expect(problems.get('shell.maxSessions')).toBe('unknown field. Did you mean "maxSessions"?');
  });

  it('lists the known fields when nothing is close', () => {
    const message = problemsOf({ shell: { theme: 'dark' } }).get('shell.theme') ?? '';
    expect(message).toBe(
      'unknown field. Remove it; the known fields here are: path, loadProfile, cols, rows, scrollbackRows, startTimeoutMs, commandTimeoutMs, cancelGraceMs, ' +
        'interruptRepeatMs, killGraceMs, inputIdleMs, outputCapBytes, maxErrors, maxErrorChars, maxCommandChars, commandPartChars, maxInputChars, ' +
        'maxRenderBacklogChars, maxMarkerChars, settleTimeoutMs, resetTimeoutMs, cwd, oscNumber.',
    );
  });

  it('does not mistake inherited names for fields', () => {
    const problems = problemsOf(JSON.parse('{"__proto__": {"x": 1}, "constructor": 1, "toString": 2}'));
    expect([...problems.keys()].sort()).toEqual(['__proto__', 'constructor', 'toString']);
  });

  it('reports unknown and invalid fields together', () => {
    const problems = problemsOf({ maxSessions: -1, shel: {} });
    expect([...problems.keys()]).toEqual(['maxSessions', 'shel']);
    expect(problems.get('shel')).toBe('unknown field. Did you mean "shell"?');
  });
});

describe('validateConfig: rules across fields', () => {
  it('rejects more warm sessions than maxSessions and says how to fix it', () => {
    const problems = problemsOf({ warmSessions: 6, maxSessions: 4 });
    expect(problems.get('warmSessions')).toBe(
      'is 6 but maxSessions is 4: no more sessions can be kept warm than may be lent at once. Set warmSessions to at most 4, or maxSessions to at least 6.',
    );
  });

  it('says when one side of the rule is a default', () => {
    // warmSessions defaults to 1, the least maxSessions allows: only the maxSessions side can be the default.
    expect(d.warmSessions).toBe(1);
    expect(validateConfig({ maxSessions: 1 }).ok).toBe(true);
    expect(problemsOf({ warmSessions: d.maxSessions + 1 }).get('warmSessions')).toContain(`is ${d.maxSessions + 1} but maxSessions is ${d.maxSessions} (the default)`);
  });

  it('is checked even when unrelated fields are wrong, and skipped when one side is itself invalid', () => {
    expect([...problemsOf({ warmSessions: 6, maxSessions: 4, shell: { cols: 1 } }).keys()]).toEqual(['shell.cols', 'warmSessions']);
    expect([...problemsOf({ warmSessions: 100, maxSessions: 4 }).keys()]).toEqual(['warmSessions']);
  });

  it('allows warmSessions equal to maxSessions', () => {
    expect(validateConfig({ warmSessions: 5, maxSessions: 5 }).ok).toBe(true);
    expect(validateConfig({ warmSessions: 0, maxSessions: 1 }).ok).toBe(true);
  });
});

describe('validateConfig: every section is strict', () => {
  /** Dotted paths of the objects in a schema that let unknown fields through (zod strips them silently). */
  function looseObjects(schema: z.ZodType, at: string): string[] {
    if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return looseObjects(schema.unwrap() as z.ZodType, at);
    if (schema instanceof z.ZodArray) return looseObjects(schema.element as z.ZodType, `${at}[]`);
    if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap((o) => looseObjects(o, at));
    if (!(schema instanceof z.ZodObject)) return [];
    const strict = schema.def.catchall instanceof z.ZodNever;
    const inner = Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([k, v]) => looseObjects(v, at === '' ? k : `${at}.${k}`));
    return strict ? inner : [at === '' ? '(top level)' : at, ...inner];
  }

  it('has no object that drops unknown fields (declare new sections with z.strictObject, so a misspelt field is reported)', () => {
    expect(looseObjects(configSchema, '')).toEqual([]);
  });
});

describe('validateConfig: fields in lists', () => {
  it('names the item by its index and says what the item must be', () => {
    const problems = problemsOf({ auditRedactPatterns: ['ok', '('], watchFolders: ['relative/dir'] });
    expect(problems.get('auditRedactPatterns.1')).toBe('found "(": must be a valid regular expression that matches at least one character. Allowed: a string.');
    expect(problems.get('watchFolders.0')).toBe('found "relative/dir": must be an absolute path. Allowed: a string.');
  });
});
