import { currentPlatform } from '../main/core/platform/Platform.js';

// Gates for tests of behaviour that exists only on some OSes. A gated test names the reason in its
// title ("(POSIX-only: ...)", "(Linux-only: ...)"), so a Windows or macOS run lists it as skipped
// with why; nothing is gated off Linux, where the project's CI runs every test.

/** Linux: /proc, the kernel's terminal hangup, Debian's tools. */
export const onLinux = currentPlatform().os === 'linux';

/** Linux and macOS: POSIX signals with handlers, file modes (0600/0700), Unix sockets. */
export const onPosix = !currentPlatform().isWindows;

/**
 * Linux and macOS: a throwaway OpenSSH server for the remote-host tests (bench/sshd.ts runs the
 * system's /usr/sbin/sshd; Windows runners have the OpenSSH client but no server installed).
 */
export const hasPosixSshd = onPosix;
