/** Where the command line writes (the process's streams, or a test's buffers). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}
