/**
 * Close codes this server sends beyond graphql-ws's own `CloseCode` (4400 BadRequest,
 * 4401 Unauthorized, 4403 Forbidden, 4406 SubprotocolNotAcceptable, 4408
 * ConnectionInitialisationTimeout, 4409 SubscriberAlreadyExists, 4429
 * TooManyInitialisationRequests, 4500 InternalServerError), which is imported from there.
 */
export const ServerCloseCode = {
  /** Server shutting down: reconnect (elsewhere). */
  GoingAway: 1001,
  /** Frame larger than WS_MAX_FRAME_BYTES (sent by the ws library itself). */
  MessageTooBig: 1009,
  /** The client could not keep up (WS_MAX_BUFFERED_BYTES or SUBSCRIBER_MAX_QUEUE); reconnect with `after` to catch up. */
  TryAgainLater: 1013,
  /** A subscribe with WS_MAX_SUBSCRIPTIONS operations already active on the socket. */
  TooManyOperations: 4413,
} as const;
