import { z } from 'zod';
import { LOCAL_HOST } from '../../../common/scheduler.js';

/** A host name: what agents pass as `host`, shown in the dashboard and the tray. */
const hostName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit' })
  .refine((n) => n.toLowerCase() !== LOCAL_HOST, { message: `"${LOCAL_HOST}" names this machine; choose another name` });

/** A label: what agents pass in `labels` to pick a host by what it is (windows, build, gpu). */
const label = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'must be 1-64 letters, digits, dots, dashes or underscores' });

/** Text that goes on ssh's command line: no line breaks, and not an option (`-oProxyCommand=...` as a destination would run a command). */
const sshWord = z
  .string()
  .min(1)
  .refine((s) => !/[\r\n\0]/.test(s), { message: 'must not contain line breaks' })
  .refine((s) => !s.startsWith('-'), { message: 'must not start with "-"' });

/**
 * One machine poshpool lends sessions on through the system's OpenSSH client (`ssh -tt`, the user's
 * own keys, agent and known_hosts). Nothing is installed there: pwsh must already be.
 */
export const remoteHostSchema = z.strictObject({
  /** The name agents use (`host` of start_session and run_command). */
  name: hostName.describe('Name agents pass as host'),
  /** Where to connect: `host`, `user@host`, or a Host alias of ~/.ssh/config. */
  ssh: sshWord.describe('ssh destination: host, user@host or a ~/.ssh/config alias'),
  /** TCP port of sshd (default: ssh's own, 22 or ~/.ssh/config's). */
  port: z.number().int().min(1).max(65535).optional().describe("sshd's port (default: ssh's own)"),
  /** Private key file (default: ssh-agent and ssh's default keys). */
  identityFile: sshWord.optional().describe('Private key file (default: ssh-agent and the default keys)'),
  /** known_hosts file the host key is checked against (default: ssh's, ~/.ssh/known_hosts). Host keys are always verified. */
  knownHostsFile: sshWord.optional().describe('known_hosts file to verify the host key with (default: ssh’s)'),
  /** pwsh on that host: a command on its PATH or a full path (Windows: C:\\Program Files\\PowerShell\\7\\pwsh.exe). */
  pwsh: z
    .string()
    .min(1)
    // A single quote too: sh reads it as an unterminated quote (remoteLaunch.ts quotes pwsh with double quotes only).
    .refine((s) => !/["'$`\r\n\0%]/.test(s), { message: 'must not contain quotes, $, `, % or line breaks' })
    .default('pwsh')
    .describe('pwsh on that host (a command on its PATH or a full path)'),
  /** The host runs Windows (its sshd draws through ConPTY, which repaints the screen). */
  windows: z.boolean().default(false).describe('The host runs Windows'),
  /** Sessions lent at once at most on this host. */
  maxSessions: z.number().int().min(1).max(64).default(2).describe('Sessions lent at once at most on this host'),
  /** Sessions kept started and ready on this host (0 = started on demand: each first call waits for ssh and pwsh). */
  warmSessions: z.number().int().min(0).max(64).default(1).describe('Sessions kept warm on this host'),
  /** What the host is, for agents that ask by label (windows, build, gpu). */
  labels: z.array(label).default([]).describe('Labels agents can ask for'),
  /** Seconds ssh may take to connect (ssh ConnectTimeout). */
  connectTimeoutSeconds: z.number().int().min(1).max(300).default(15).describe('Seconds ssh may take to connect'),
  /** Seconds between keep-alive probes; three unanswered end the session as a lost connection (ssh ServerAliveInterval). */
  keepAliveSeconds: z.number().int().min(1).max(3600).default(15).describe('Seconds between keep-alive probes (3 missed = connection lost)'),
});

export type RemoteHostConfig = z.infer<typeof remoteHostSchema>;

/** The config's `hosts`: names must be unique (case-insensitively, as agents type them). */
export const hostsSchema = z
  .array(remoteHostSchema)
  .default([])
  .superRefine((hosts, ctx) => {
    const seen = new Map<string, number>();
    hosts.forEach((h, i) => {
      const key = h.name.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${h.name}" is already the name of hosts[${first}]; host names must be unique` });
      else seen.set(key, i);
    });
  })
  .describe('Other machines sessions run on, through OpenSSH');

/** Where ssh connects, as people write it (user@host:port). */
export function destinationOf(host: Pick<RemoteHostConfig, 'ssh' | 'port'>): string {
  return host.port === undefined ? host.ssh : `${host.ssh}:${host.port}`;
}
