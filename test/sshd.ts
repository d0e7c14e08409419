// The throwaway OpenSSH server lives with the bench, which runs it too (compiled with it into dist/bench).
export { closedPort, SshdFixture } from '../bench/sshd.js';
