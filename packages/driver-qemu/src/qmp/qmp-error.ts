// Errors a QMP caller can get back from a command. The driver maps them to
// libvirt's errors; they carry what that mapping needs and nothing from core.

/** QEMU answered a command with {"error": {"class", "desc"}}. */
export class QmpError extends Error {
  override name = 'QmpError';
  /** QMP's error class, e.g. "GenericError", "CommandNotFound", "DeviceNotFound". */
  readonly errorClass: string;
  /** QEMU's human-readable description, passed on as-is. */
  readonly desc: string;
  /** The command that failed. */
  readonly command: string;

  constructor(command: string, errorClass: string, desc: string) {
    // libvirt's wording, so that the driver can pass the text on unchanged.
    super(`unable to execute QEMU command '${command}': ${desc}`);
    this.command = command;
    this.errorClass = errorClass;
    this.desc = desc;
  }
}

/**
 * The monitor connection is gone (QEMU exited, the socket was closed, or the
 * wire carried garbage), so the command will never be answered.
 */
export class QmpClosedError extends Error {
  override name = 'QmpClosedError';
  /** The command that was pending or attempted, if any. */
  readonly command: string | undefined;

  constructor(reason: string, command?: string, options?: { cause?: unknown }) {
    super(command === undefined ? `QEMU monitor closed: ${reason}` : `QEMU monitor closed while executing '${command}': ${reason}`, options);
    this.command = command;
  }
}
