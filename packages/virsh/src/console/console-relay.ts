// The terminal side of virsh console: the user's terminal in raw mode, relayed
// both ways with the guest's console stream (from the driver, in this process or
// through a daemon) until the escape character is typed or the guest's side goes
// away; the terminal is restored either way.

import type { Duplex } from 'node:stream';
import type tty from 'node:tty';

/** Ctrl+], virsh's default escape character. */
export const ESCAPE_BYTE = 0x1d;

/** Relay until the escape character (or the stream's end); resolves once the terminal is restored. */
export function relayConsole(guest: Duplex, input: tty.ReadStream, output: NodeJS.WritableStream): Promise<void> {
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
      if (keys.length) guest.write(keys);
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
      resolve();
    }
    guest.on('data', fromGuest);
    // The guest is gone, or the connection that carried its console.
    guest.once('error', finish);
    guest.once('end', finish);
    input.on('data', fromUser);
    input.resume();
  });
}
