// The terminal side of virsh console: the user's terminal in raw mode, relayed
// both ways with a guest's pseudo-terminal until the escape character is typed
// or the guest's side goes away; the terminal is restored either way.

import { closeSync, constants, openSync, writeSync } from 'node:fs';
import tty from 'node:tty';

/** Ctrl+], virsh's default escape character. */
export const ESCAPE_BYTE = 0x1d;

/** Relay until the escape character (or the pty's end); resolves once the terminal is restored. */
export function relayPty(ptyPath: string, input: tty.ReadStream, output: NodeJS.WritableStream): Promise<void> {
  // O_NOCTTY: the guest's pty must not become virsh's controlling terminal.
  const fd = openSync(ptyPath, constants.O_RDWR | constants.O_NOCTTY);
  // A tty stream reads through libuv without blocking a thread; QEMU keeps its side raw.
  const guest = new tty.ReadStream(fd);
  guest.setRawMode(true);
  const wasRaw = input.isRaw;
  input.setRawMode(true);
  // In the interactive shell, readline reads the same terminal through keypress
  // events: keys typed for the guest must not also become shell commands.
  const keypress = input.listeners('keypress') as Array<(...args: unknown[]) => void>;
  input.removeAllListeners('keypress');
  return new Promise<void>((resolve) => {
    const fromGuest = (chunk: Buffer) => output.write(chunk);
    const fromUser = (chunk: Buffer) => {
      const escape = chunk.indexOf(ESCAPE_BYTE);
      const keys = escape < 0 ? chunk : chunk.subarray(0, escape);
      if (keys.length) writeSync(fd, keys);
      if (escape >= 0) finish();
    };
    let done = false;
    function finish(): void {
      if (done) return;
      done = true;
      input.off('data', fromUser);
      for (const l of keypress) input.on('keypress', l);
      input.setRawMode(wasRaw);
      // The interactive shell reads on; a single command's virsh may exit.
      if (!keypress.length) input.pause();
      guest.off('data', fromGuest);
      guest.destroy();
      try { closeSync(fd); } catch { /* closed with the stream */ }
      resolve();
    }
    guest.on('data', fromGuest);
    // EIO once QEMU has closed its side: the guest is gone, as is the console.
    guest.once('error', finish);
    guest.once('end', finish);
    input.on('data', fromUser);
    input.resume();
  });
}
