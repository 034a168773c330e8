import { RpcProtocolError } from '../rpc-error.js';

/**
 * A body that does not decode as its XDR type, or a value that cannot be encoded as one.
 * The frame around it was sound: the connection may go on (the call gets an error reply).
 * `path` names the part of the value at fault (`args.dom.name`).
 */
export class XdrError extends RpcProtocolError {
  override name = 'XdrError';
  readonly path: string;

  constructor(path: string, message: string) {
    super('bad-xdr', path ? `${path}: ${message}` : message);
    this.path = path;
  }
}
