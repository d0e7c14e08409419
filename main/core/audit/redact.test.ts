import { describe, expect, it } from 'vitest';
import { checkPattern, redactionMarker, Redactor } from './redact.js';

// Defect 7 of issue 14: the audit log stored secrets verbatim. Each shape, with the text around it kept.

const GH = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const PAT = 'github_pat_' + '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP';
const TOKEN = 'f3c1d2e4b5a6978812345678901234567890abcdefabcdefabcdefabcdef0123';

function redact(text: string, options: ConstructorParameters<typeof Redactor>[0] = {}): { text: string; kinds: string[] } {
  return new Redactor(options).redact(text);
}

describe('Redactor: the common secret shapes, by default', () => {
  const cases: [string, string, string, string][] = [
    // [what, command, expected text, kind]
    ['a GitHub token anywhere', `gh auth login --with-token <<< ${GH}`, `gh auth login --with-token <<< ${redactionMarker('github-token')}`, 'github-token'],
    ['a fine-grained GitHub PAT', `$h = @{ 'X-Token' = '${PAT}' }`, `$h = @{ 'X-Token' = '${redactionMarker('github-token')}' }`, 'github-token'],
    ['GITHUB_TOKEN=... (bash, .env)', 'GITHUB_TOKEN=abc123secretvalue npm publish', `GITHUB_TOKEN=${redactionMarker('secret-assignment')} npm publish`, 'secret-assignment'],
    ['$env:GITHUB_TOKEN = \'...\'', "$env:GITHUB_TOKEN = 'abc123secretvalue'; gh pr list", `$env:GITHUB_TOKEN = '${redactionMarker('secret-assignment')}'; gh pr list`, 'secret-assignment'],
    ['$env:NPM_TOKEN="..."', '$env:NPM_TOKEN="s3cr3t value"', `$env:NPM_TOKEN="${redactionMarker('secret-assignment')}"`, 'secret-assignment'],
    ['a PowerShell variable named like a secret', "$dbPassword = 'hunter22'", `$dbPassword = '${redactionMarker('secret-assignment')}'`, 'secret-assignment'],
    ['a hashtable key', "Invoke-RestMethod -Body @{ user = 'ann'; password = 'hunter22' }", `Invoke-RestMethod -Body @{ user = 'ann'; password = '${redactionMarker('secret-assignment')}' }`, 'secret-assignment'],
    ['a JSON key', '{"apiKey": "k-123456789"}', `{"apiKey": "${redactionMarker('secret-assignment')}"}`, 'secret-assignment'],
    ['a connection string password', "sqlcmd -C 'Server=db;User Id=sa;Password=Pa55word;'", `sqlcmd -C 'Server=db;User Id=sa;Password=${redactionMarker('secret-assignment')};'`, 'secret-assignment'],
    ['SetEnvironmentVariable', "[Environment]::SetEnvironmentVariable('OPENAI_API_KEY', 'abc123secretvalue', 'User')", `[Environment]::SetEnvironmentVariable('OPENAI_API_KEY', '${redactionMarker('env-secret')}', 'User')`, 'env-secret'],
    ['ConvertTo-SecureString \'...\' -AsPlainText', "$p = ConvertTo-SecureString 'P@ssw0rd!' -AsPlainText -Force", `$p = ConvertTo-SecureString '${redactionMarker('securestring-literal')}' -AsPlainText -Force`, 'securestring-literal'],
    ['ConvertTo-SecureString -AsPlainText -Force -String "..."', 'ConvertTo-SecureString -AsPlainText -Force -String "P@ss w0rd"', `ConvertTo-SecureString -AsPlainText -Force -String "${redactionMarker('securestring-literal')}"`, 'securestring-literal'],
    ["'...' | ConvertTo-SecureString", "'P@ssw0rd!' | ConvertTo-SecureString -AsPlainText -Force", `'${redactionMarker('securestring-literal')}' | ConvertTo-SecureString -AsPlainText -Force`, 'securestring-literal'],
    ['user:pass@ in a URL', 'git clone https://ann:hunter22@example.com/r.git', `git clone https://ann:${redactionMarker('url-password')}@example.com/r.git`, 'url-password'],
    ['an Authorization header (curl)', "curl -H 'Authorization: Bearer abc.def.ghi' https://api", `curl -H 'Authorization: Bearer ${redactionMarker('authorization')}' https://api`, 'authorization'],
    ['an Authorization header (hashtable)', 'iwr $u -Headers @{Authorization = "token 0123456789abcdef"}', `iwr $u -Headers @{Authorization = "token ${redactionMarker('authorization')}"}`, 'authorization'],
    ['-Password \'...\'', "New-LocalUser -Name ann -Password 'hunter22'", `New-LocalUser -Name ann -Password '${redactionMarker('secret-parameter')}'`, 'secret-parameter'],
    ['-Token bare', 'Connect-Thing -Token abc123secretvalue -Verbose', `Connect-Thing -Token ${redactionMarker('secret-parameter')} -Verbose`, 'secret-parameter'],
    ['-ApiKey:value', 'Publish-Module -Name M -NuGetApiKey:oy2abcdefghijklmnop', `Publish-Module -Name M -NuGetApiKey:${redactionMarker('secret-parameter')}`, 'secret-parameter'],
    ['--password=value', 'mysql --user=root --password=hunter22 db', `mysql --user=root --password=${redactionMarker('secret-parameter')} db`, 'secret-parameter'],
    ['an OpenAI-style key', 'echo sk-proj-abcdefghijklmnopqrstuvwxyz0123', `echo ${redactionMarker('api-key')}`, 'api-key'],
    ['a Slack token', 'slack --token xoxb-1234567890-abcdefghij', `slack --token ${redactionMarker('slack-token')}`, 'slack-token'],
    ['an AWS access key id', 'aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE', `aws configure set aws_access_key_id ${redactionMarker('aws-access-key')}`, 'aws-access-key'],
    ['a JWT', 'echo eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', `echo ${redactionMarker('jwt')}`, 'jwt'],
    ['a private key block', "Set-Content k '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'", `Set-Content k '${redactionMarker('private-key')}'`, 'private-key'],
  ];
  for (const [what, command, expected, kind] of cases) {
    it(`redacts ${what}`, () => {
      const r = redact(command);
      expect(r.text).toBe(expected);
      expect(r.kinds).toContain(kind);
    });
  }

  it('GITHUB_TOKEN=ghp_... says the more specific kind, once', () => {
    expect(redact(`GITHUB_TOKEN=${GH} gh pr list`)).toEqual({ text: `GITHUB_TOKEN=${redactionMarker('github-token')} gh pr list`, kinds: ['github-token'] });
  });

  it('leaves variables, sub-expressions and ordinary commands alone', () => {
    for (const command of [
      "$env:GITHUB_TOKEN = $token",
      'Connect-Thing -Token $tok',
      'Connect-Thing -Token (Get-Secret gh)',
      '$cred = Get-Credential',
      'ConvertTo-SecureString $plain -AsPlainText -Force',
      'Get-ChildItem -Path C:\\src -Recurse | Where-Object Length -gt 1kb',
      'git log --pretty=oneline https://example.com/a:b',
      'Write-Output "skip the token-bucket test"',
    ]) {
      expect(redact(command)).toEqual({ text: command, kinds: [] });
    }
  });
});

describe('Redactor: the host token always, the shapes when configured', () => {
  it('redacts the token wherever it appears, also with shapes off', () => {
    const r = redact(`curl -s http://127.0.0.1:5000/metrics -H "X: ${TOKEN}"; echo ${TOKEN}x`, { secrets: [TOKEN], shapes: false });
    expect(r.text).not.toContain(TOKEN);
    expect(r.text).toBe(`curl -s http://127.0.0.1:5000/metrics -H "X: ${redactionMarker('poshpool-token')}"; echo ${redactionMarker('poshpool-token')}x`);
    expect(r.kinds).toEqual(['poshpool-token']);
  });

  it('with shapes off, common shapes stay (the token still goes)', () => {
    expect(redact("$env:GITHUB_TOKEN = 'abc123secretvalue'", { shapes: false }).text).toBe("$env:GITHUB_TOKEN = 'abc123secretvalue'");
  });

  it('extra patterns are redacted as custom', () => {
    expect(redact('deploy --key ACME-1234-5678', { extraPatterns: ['ACME-\\d{4}-\\d{4}'] }).text).toBe(`deploy --key ${redactionMarker('custom')}`);
  });

  it('a cut text loses the head of the token and a secret cut short in its place', () => {
    const r = new Redactor({ secrets: [TOKEN] });
    expect(r.redact(`echo ${TOKEN.slice(0, 20)}`, true).text).toBe(`echo ${redactionMarker('poshpool-token')}`);
    expect(r.redact("x; $env:GITHUB_TOKEN = 'abc12", true).text).toBe(`x; $env:GITHUB_TOKEN = '${redactionMarker('cut')}`);
    expect(r.redact('x; echo ghp_A1b2C3', true).text).toBe(`x; echo ${redactionMarker('cut')}`);
    expect(r.redact('x; git clone https://ann:hun', true).text).toBe(`x; git clone https://ann:${redactionMarker('cut')}`);
    // An ordinary word at the cut stays.
    expect(r.redact(`Write-Output ${'x'.repeat(50)}`, true).text).toBe(`Write-Output ${'x'.repeat(50)}`);
  });

  it('a short secret is not redacted by value (it would blank common words)', () => {
    expect(redact('echo abc', { secrets: ['abc'] }).text).toBe('echo abc');
  });

  it('checkPattern refuses invalid and empty-matching expressions with a reason', () => {
    expect(checkPattern('(')).toMatchObject({ ok: false, reason: expect.stringContaining('is not a valid regular expression') });
    expect(checkPattern('x*')).toMatchObject({ ok: false, reason: expect.stringContaining('matches empty text') });
    expect(checkPattern('x+').ok).toBe(true);
    expect(() => new Redactor({ extraPatterns: ['('] })).toThrow(/auditRedactPatterns/);
  });
});
