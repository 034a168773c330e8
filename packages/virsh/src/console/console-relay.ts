// The terminal side of virsh console: the user's terminal in raw mode, relayed
// both ways with the guest's console stream (from the driver, in this process or
// through a daemon) until the escape character is typed or the guest's side goes
// away; the terminal is restored either way.

import type { Duplex } from 'node:stream';
import type tty from 'node:tty';

/** The byte an escape sequence stands for: ^ and a letter is that control character (^] is Ctrl+]). */
export function escapeByte(sequence: string): number {
  return sequence[0] === '^' && sequence.length === 2 ? sequence[1].toUpperCase().charCodeAt(0) ^ 0x40 : sequence.charCodeAt(0);
}

/**
 * Relay until the escape byte (virsh's -e, Ctrl+] by default) or the stream's end;
 * resolves once the terminal is restored.
 */
export function relayConsole(guest: Duplex, input: tty.ReadStream, output: NodeJS.WritableStream, escape = escapeByte('^]')): Promise<void> {
  const wasRaw = input.isRaw;
  input.setRawMode(true);
  // In the interactive shell, readline reads the same terminal through keypress
  // events: keys typed for the guest must not also become shell commands.
  const keypress = input.listeners('keypress') as Array<(...args: unknown[]) => void>;
  input.removeAllListeners('keypress');
  return new Promise<void>((resolve) => {
    const fromGuest = (chunk: Buffer) => output.write(chunk);
    const fromUser = (chunk: Buffer) => {
      const at = chunk.indexOf(escape);
      const keys = at < 0 ? chunk : chunk.subarray(0, at);
      if (keys.length) guest.write(keys);
      if (at >= 0) finish();
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
