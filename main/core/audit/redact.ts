/**
 * Redaction of the secrets a command's text may carry, before it reaches the audit log (DESIGN.md §4:
 * "The audit log never holds the token and redacts common secret shapes by default"). What is
 * redacted is replaced by a marker that says that something was and of which kind,
 * `«redacted:github-token»`, keeping the text around it (the variable name, the URL's user, the
 * header's scheme) so the line still says what the command did.
 *
 * Always: the host's own bearer token (and any other secret given), wherever it appears. By default
 * (auditRedact, on unless configured off): the shapes below. Extra patterns (auditRedactPatterns) are
 * applied too. Not redacted, and cannot be: a secret read from a variable, a file or a prompt (the
 * command text then holds only its name), and a secret in no known shape and no known place
 * (`Write-Output hunter2`). Output is never in the audit log.
 */

/** The marker that replaces a redacted secret of `kind`. */
export function redactionMarker(kind: string): string {
  return `«redacted:${kind}»`;
}

const MARKER_START = '«redacted:';

/** Words in a variable, key or parameter name that say its value is a secret. */
const SECRET_NAME = String.raw`[A-Za-z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CLIENT_?SECRET|CREDENTIALS?|CONNECTION_?STRING)[A-Za-z0-9_]*`;

/** Parameters of cmdlets and CLIs whose value is a secret (-Password 'x', --token=x, -ApiKey:x). */
const SECRET_PARAM = String.raw`(?:Password|Passwd|Passphrase|Token|AccessToken|ApiToken|ApiKey|Api-Key|NuGetApiKey|Secret|ClientSecret|Pat|PersonalAccessToken)`;

/** One shape: a pattern, and the groups that keep their text (the rest of the match is the secret). */
interface Shape {
  kind: string;
  source: string;
  flags: string;
  /** Index of the group holding the secret; 0 = the whole match. */
  secretGroup: number;
}

/**
 * The secret shapes redacted by default, most specific first (a token's own shape names it better
 * than the place it stands in). Sources: the token formats GitHub, Slack, AWS, OpenAI, Google, GitLab
 * and npm document, and the places commands put secrets (assignments, headers, URLs, parameters).
 */
const SHAPES: readonly Shape[] = [
  { kind: 'private-key', source: String.raw`-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)`, flags: 'g', secretGroup: 0 },
  { kind: 'github-token', source: String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})\b`, flags: 'g', secretGroup: 0 },
  { kind: 'gitlab-token', source: String.raw`\bglpat-[A-Za-z0-9_-]{20,}`, flags: 'g', secretGroup: 0 },
  { kind: 'slack-token', source: String.raw`\bxox[abposr]-[A-Za-z0-9-]{10,}`, flags: 'g', secretGroup: 0 },
  { kind: 'aws-access-key', source: String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`, flags: 'g', secretGroup: 0 },
  { kind: 'api-key', source: String.raw`\bsk-[A-Za-z0-9_-]{20,}`, flags: 'g', secretGroup: 0 },
  { kind: 'google-api-key', source: String.raw`\bAIza[0-9A-Za-z_-]{35}`, flags: 'g', secretGroup: 0 },
  { kind: 'npm-token', source: String.raw`\bnpm_[A-Za-z0-9]{36}\b`, flags: 'g', secretGroup: 0 },
  { kind: 'jwt', source: String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`, flags: 'g', secretGroup: 0 },
  // Authorization: Bearer x / Basic x / token x (curl -H, Invoke-RestMethod -Headers @{Authorization = "Bearer x"}).
  { kind: 'authorization', source: String.raw`(\bAuthorization["']?\s*[:=]\s*["']?(?:(?:Bearer|Basic|token|Digest|Negotiate|NTLM)\s+)?)([^\s"';,)}]+)`, flags: 'gi', secretGroup: 2 },
  // scheme://user:password@host
  { kind: 'url-password', source: String.raw`(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:@/'"]+:)([^\s@/'"]+)(?=@)`, flags: 'g', secretGroup: 2 },
  // ConvertTo-SecureString 'x' -AsPlainText, ConvertTo-SecureString -AsPlainText -Force -String "x"
  { kind: 'securestring-literal', source: String.raw`(\bConvertTo-SecureString(?:\s+-(?:AsPlainText|Force)\b)*\s+(?:-String\s+)?(['"]))(.*?)(?=\2)`, flags: 'gi', secretGroup: 3 },
  // 'x' | ConvertTo-SecureString -AsPlainText -Force
  { kind: 'securestring-literal', source: String.raw`((['"]))([^'"\r\n]+)(?=\2\s*\|\s*ConvertTo-SecureString\b)`, flags: 'gi', secretGroup: 3 },
  // -Password 'x', -Token:x, --token=x, --api-key x (a variable or sub-expression is left as it is)
  { kind: 'secret-parameter', source: String.raw`((?:^|\s)--?${SECRET_PARAM}(?:[:=]|\s+)(['"]))(.*?)(?=\2)`, flags: 'gi', secretGroup: 3 },
  { kind: 'secret-parameter', source: String.raw`((?:^|\s)--?${SECRET_PARAM}(?:[:=]|\s+))([^\s'"$(@-][^\s'";|)]*)`, flags: 'gi', secretGroup: 2 },
  // [Environment]::SetEnvironmentVariable('GITHUB_TOKEN', 'x', ...)
  { kind: 'env-secret', source: String.raw`(SetEnvironmentVariable\(\s*['"]${SECRET_NAME}['"]\s*,\s*(['"]))(.*?)(?=\2)`, flags: 'gi', secretGroup: 3 },
  // $env:GITHUB_TOKEN = 'x', $password = "x", @{ password = 'x' }, "apiKey": "x", password: 'x'
  { kind: 'secret-assignment', source: String.raw`((?:\$env:|\$)?["']?\b${SECRET_NAME}["']?\s*[:=]\s*(['"]))(.*?)(?=\2)`, flags: 'gi', secretGroup: 3 },
  // GITHUB_TOKEN=x, export NPM_TOKEN=x, set API_KEY=x, Password=x; in a connection string
  { kind: 'secret-assignment', source: String.raw`((?:\$env:|\$)?\b${SECRET_NAME}\s*=\s*)([^\s'"$(@;&|,)}][^\s'";&|,)}]*)`, flags: 'gi', secretGroup: 2 },
];

/** What a redaction is set up with. */
export interface RedactionOptions {
  /** Secrets redacted wherever they appear, whatever the other settings (the host's bearer token). */
  secrets?: readonly string[];
  /** Redact the common secret shapes (default true). */
  shapes?: boolean;
  /** More regular expressions (JavaScript syntax) whose every match is redacted, kind `custom`. */
  extraPatterns?: readonly string[];
}

/** Text with its secrets replaced, and the kinds that were. */
export interface Redacted {
  text: string;
  /** Kinds redacted, each once, in the order first met. */
  kinds: string[];
}

/** Shortest secret redacted by its value (a shorter one would blank common words). */
export const MIN_SECRET_CHARS = 8;

interface Compiled {
  kind: string;
  pattern: RegExp;
  secretGroup: number;
}

/**
 * Redacts secrets from text. Build one per audit log; `addSecret` when a secret becomes known (the
 * host's token, once it is read). The compiled patterns belong to the instance (a global RegExp keeps
 * state between uses).
 */
export class Redactor {
  private readonly secrets: string[] = [];
  private readonly compiled: Compiled[];
  private readonly shapes: boolean;

  constructor(options: RedactionOptions = {}) {
    for (const s of options.secrets ?? []) this.addSecret(s);
    this.shapes = options.shapes ?? true;
    this.compiled = this.shapes ? SHAPES.map((s) => ({ kind: s.kind, pattern: new RegExp(s.source, s.flags), secretGroup: s.secretGroup })) : [];
    for (const source of options.extraPatterns ?? []) {
      const checked = checkPattern(source);
      if (!checked.ok) throw new Error(checked.reason);
      this.compiled.push({ kind: 'custom', pattern: checked.pattern, secretGroup: 0 });
    }
  }

  /** Redacts `secret` wherever it appears from now on (ignored when shorter than MIN_SECRET_CHARS). */
  addSecret(secret: string): void {
    if (secret.length >= MIN_SECRET_CHARS && !this.secrets.includes(secret)) this.secrets.push(secret);
  }

  /**
   * Redacts `text`. `cut`: the text is the head of a longer one, so its last word may be the start of
   * a secret that no longer has its shape; that word is redacted too (kind `cut`).
   */
  redact(text: string, cut = false): Redacted {
    const kinds = new Set<string>();
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) {
        out = out.split(secret).join(redactionMarker('poshpool-token'));
        kinds.add('poshpool-token');
      }
    }
    for (const { kind, pattern, secretGroup } of this.compiled) {
      out = out.replace(pattern, (...args: unknown[]) => {
        const match = args[0] as string;
        const groups = args.slice(1, -2) as (string | undefined)[];
        if (secretGroup === 0) {
          if (match === '' || match.startsWith(MARKER_START)) return match;
          kinds.add(kind);
          return redactionMarker(kind);
        }
        const secret = groups[secretGroup - 1] ?? '';
        // Already redacted by a more specific shape, or a variable's name rather than a value.
        if (secret === '' || secret.includes(MARKER_START) || /^\$[\w:]+$/.test(secret) || /^\$\{[^}]+\}$/.test(secret)) return match;
        kinds.add(kind);
        // Group 1 is always the text before the secret (name, scheme, opening quote): kept.
        return `${groups[0] ?? ''}${redactionMarker(kind)}`;
      });
    }
    if (cut) out = this.redactCutEnd(out, kinds);
    return { text: out, kinds: [...kinds] };
  }

  /**
   * The end of a text cut from a longer one, where a secret may have lost the rest of its shape: a
   * head of the token (MIN_SECRET_CHARS or more) goes, and so does what follows a secret's place or
   * a token prefix at the very end (`-Password 'hunt`, `GITHUB_TOKEN=ghp_12`, `https://me:pa`).
   */
  redactCutEnd(text: string, kinds: Set<string> = new Set()): string {
    let out = text;
    for (const secret of this.secrets) {
      for (let n = secret.length - 1; n >= MIN_SECRET_CHARS; n--) {
        if (out.endsWith(secret.slice(0, n))) {
          out = out.slice(0, -n) + redactionMarker('poshpool-token');
          kinds.add('poshpool-token');
          break;
        }
      }
    }
    if (!this.shapes) return out;
    const head = CUT_TOKEN_HEAD.exec(out);
    if (head) {
      kinds.add('cut');
      return out.slice(0, head.index) + redactionMarker('cut');
    }
    const place = CUT_SECRET_PLACE.exec(out);
    if (place && place[2] !== undefined && place[2] !== '' && !place[2].includes(MARKER_START)) {
      kinds.add('cut');
      return out.slice(0, out.length - place[2].length) + redactionMarker('cut');
    }
    return out;
  }
}

/** A token prefix at the end of a cut text (its shape needs more characters than are left). */
const CUT_TOKEN_HEAD = /\b(?:gh[pousr]_|github_pat_|glpat-|xox[abposr]-|sk-|AKIA|ASIA|AIza|npm_|eyJ|-----BEGIN )[^\s]*$/;
/** A secret's place at the end of a cut text, the secret's start after it (group 2). */
const CUT_SECRET_PLACE = new RegExp(
  String.raw`((?:\b${SECRET_NAME}["']?\s*[:=]\s*["']?|(?:^|\s)--?${SECRET_PARAM}(?:[:=]|\s+)["']?|\bAuthorization["']?\s*[:=]\s*["']?(?:(?:Bearer|Basic|token)\s+)?|\bConvertTo-SecureString(?:\s+-\w+)*\s+["']|://[^\s:@/'"]+:))([^\r\n'"]*)$`,
  'i',
);

/** A user's extra pattern compiled (global), or why it cannot be. */
export function checkPattern(source: string): { ok: true; pattern: RegExp } | { ok: false; reason: string } {
  let pattern: RegExp;
  try {
    pattern = new RegExp(source, 'g');
  } catch (e) {
    return { ok: false, reason: `auditRedactPatterns: "${source}" is not a valid regular expression (${(e as Error).message}).` };
  }
  if (pattern.test('')) return { ok: false, reason: `auditRedactPatterns: "${source}" matches empty text, so it would redact nothing useful; make it match at least one character.` };
  pattern.lastIndex = 0;
  return { ok: true, pattern };
}
