/** Who is calling, as established from a verified JWT. */
export interface Principal {
  /** The token's `sub`. */
  userId: string;
  /** True when the token's `scope` contains `chat:service` (AI backends, integrations). */
  isService: boolean;
  /** The token's `exp` in milliseconds since the epoch, or null when it has none. */
  expiresAt: number | null;
}

/** The scope that marks a service token. */
export const SERVICE_SCOPE = 'chat:service';
