import type net from 'node:net';

/** Reads everything a socket receives until the other side closes it. */
export function readAll(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    // A reset after the answer is still "closed"; what was received is what counts.
    socket.on('error', () => {});
    socket.once('close', () => resolve(text));
  });
}
