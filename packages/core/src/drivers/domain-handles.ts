/**
 * The calls made through a domain handle after which the handle takes the domain's id
 * then (the new id after a start, -1 after a stop), as libvirt updates the virDomainPtr
 * a call was given. Drivers do it in process (DomainObject.updateHandle); over the wire
 * the daemon's reply to these calls carries the handle's id, which the remote driver
 * writes back into the caller's handle, so that both answer alike.
 */
export const HANDLE_ID_CALLS: ReadonlySet<string> = new Set([
  'domainCreate', 'domainDestroy', 'domainShutdown', 'domainReboot', 'domainSave', 'domainManagedSave',
]);

/** The reply body of a HANDLE_ID_CALLS call over the wire. */
export interface HandleIdReply {
  id: number;
}

/** Write a reply's id back into the handle the call was made with. */
export function takeHandleId(handle: unknown, reply: unknown): void {
  const id = (reply as Partial<HandleIdReply> | null | undefined)?.id;
  if (Number.isSafeInteger(id) && typeof handle === 'object' && handle !== null && !Object.isFrozen(handle)) (handle as { id: number }).id = id!;
}
