/** WebSocket close codes: the graphql-ws protocol's own, plus the standard ones we use. */
export const CloseCode = {
  /** Server shutting down: reconnect (elsewhere). */
  GoingAway: 1001,
  /** Frame larger than WS_MAX_FRAME_BYTES (sent by the ws library itself). */
  MessageTooBig: 1009,
  /** The client could not keep up; reconnect with `after` to catch up. */
  TryAgainLater: 1013,
  BadRequest: 4400,
  /** Subscribe before connection_ack. */
  Unauthorized: 4401,
  /** No valid token at connection_init, or the token expired. */
  Forbidden: 4403,
  SubprotocolNotAcceptable: 4406,
  ConnectionInitialisationTimeout: 4408,
  SubscriberAlreadyExists: 4409,
  /** A second connection_init, or one connection more than CONNECTIONS_PER_USER. */
  TooManyInitialisationRequests: 4429,
  InternalServerError: 4500,
} as const;

export const GRAPHQL_TRANSPORT_WS_PROTOCOL = 'graphql-transport-ws';
