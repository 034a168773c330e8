// --relay URI: one client on stdin/stdout, its bytes carried unchanged to the daemon that
// URI names, over the URI's transport as tsvirt's remote driver opens it (TLS with
// libvirt's certificate files and checks, TCP, a unix socket, ssh). It serves clients that
// cannot speak a transport themselves: Perl's core modules have no TLS, so the Perl
// bindings reach a +tls URI through this. A failed connect answers the client's first
// call (its open call) with the error, so that the client reports what went wrong.

import { Duplex } from 'node:stream';
import { ErrorDomain, type VirError } from '@tsvirt/core';
import { parseConnectUri, toVirError } from '@tsvirt/core/driver';
import { FrameDecoder, MessageStatus, MessageType, connectTransport, encodeJsonFrame, errorBodyOf } from '@tsvirt/core/protocol';

export async function relayStdio(uriText: string, readOnly: boolean): Promise<void> {
  let remote: Duplex;
  try {
    remote = await connectTransport(parseConnectUri(uriText), readOnly);
  } catch (e) {
    await refuseFirstCall(toVirError(e, ErrorDomain.RPC));
    return;
  }
  await new Promise<void>((resolve) => {
    process.stdin.pipe(remote);
    remote.pipe(process.stdout);
    // Either side gone ends the relay: the client hung up, or the daemon did.
    process.stdin.once('end', () => remote.end());
    remote.once('close', () => resolve());
    remote.once('error', () => resolve());
  });
}

/** Read the client's frames until its first call, answer it with the error, and end. */
function refuseFirstCall(error: VirError): Promise<void> {
  const decoder = new FrameDecoder();
  return new Promise((resolve) => {
    const done = () => {
      process.stdin.pause();
      resolve();
    };
    process.stdin.on('data', (chunk: Buffer) => {
      try {
        for (const { header } of decoder.push(chunk)) {
          if (header.type !== MessageType.CALL) continue;
          process.stdout.write(encodeJsonFrame({ ...header, type: MessageType.REPLY, status: MessageStatus.ERROR }, errorBodyOf(error)), done);
          return;
        }
      } catch {
        done();
      }
    });
    process.stdin.once('end', done);
  });
}
