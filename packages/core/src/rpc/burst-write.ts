import type { Writable } from 'node:stream';

const uncork = (stream: Writable) => stream.uncork();

/**
 * Write a frame so that the frames written in one burst of work (an I/O callback and the
 * promise reactions it sets off) leave together, in one system call (writev) once the
 * burst is over, rather than one each: pipelined calls, and the replies to them, cost a
 * write per burst. The burst ends before the event loop turns, so a lone frame waits for
 * nothing. Returns what `write` returns (false: the stream's buffer is full).
 */
export function writeInBurst(stream: Writable, frame: Uint8Array): boolean {
  if (!stream.writableCorked) {
    stream.cork();
    process.nextTick(uncork, stream);
  }
  return stream.write(frame);
}
