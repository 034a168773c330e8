import { FrameSize } from '@tsvirt/core/protocol';

/** The bounds that keep one client, or many, from exhausting the daemon. */
export interface DaemonLimits {
  /** clients connected at once; more are disconnected on arrival (libvirt's max_clients) */
  maxClients: number;
  /** calls of one client being served at once; past this its socket is not read (max_client_requests) */
  maxRequestsPerClient: number;
  /** the largest header plus body accepted in a frame, either way */
  maxMessage: number;
  /**
   * bytes of replies and events a client may leave unread; one more frame due past this
   * drops it. With maxMessage, this bounds what one client can make the daemon hold.
   */
  maxQueuedBytes: number;
  /**
   * bytes of replies and events all clients together may leave unread; a frame that would
   * pass it drops the clients holding the most. This bounds what many clients, each within
   * its own limit, can make the daemon hold.
   */
  maxQueuedBytesTotal: number;
  /** event callbacks one client may register */
  maxEventCallbacks: number;
  /** seconds of silence from a client before it is pinged; 0: never (libvirt's keepalive_interval) */
  keepaliveInterval: number;
  /** pings met with silence before the client is dropped (keepalive_count) */
  keepaliveCount: number;
}

export const DEFAULT_LIMITS: DaemonLimits = {
  maxClients: 5000,
  maxRequestsPerClient: 32,
  maxMessage: FrameSize.DEFAULT_MAX_MESSAGE,
  maxQueuedBytes: FrameSize.DEFAULT_MAX_MESSAGE,
  maxQueuedBytesTotal: 8 * FrameSize.DEFAULT_MAX_MESSAGE,
  maxEventCallbacks: 1024,
  keepaliveInterval: 5,
  keepaliveCount: 5,
};
