/**
 * Bearer API keys (WFAD_API_KEYS, comma-separated). Mutations always need one; reads only when
 * WFAD_API_READ_KEYED=1. Keys are compared as SHA-256 digests in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthChecker } from 'type-graphql';
import type { ApiContext } from './context';
import { ForbiddenError, UnauthenticatedError } from './errors';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export class KeyRing {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get configured(): boolean {
    return this.digests.length > 0;
  }

  /** True when the Authorization header carries one of the keys. */
  accepts(authorization: string | undefined): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return false;
    const d = digest(m[1] as string);
    let ok = false;
    for (const k of this.digests) ok = timingSafeEqual(k, d) || ok;
    return ok;
  }
}

/** type-graphql's check for @Authorized() fields: a valid key, or UNAUTHENTICATED. */
export const authChecker: AuthChecker<ApiContext> = ({ context }) => {
  // Checked first, so a read-only server says so even to a caller with a valid key.
  if (!context.services.config.mutations) throw new ForbiddenError('this server is read-only (WFAD_API_MUTATIONS=0): mutations are not served');
  if (context.authenticated) return true;
  throw new UnauthenticatedError(
    context.services.keys.configured
      ? 'this operation needs an API key: send "Authorization: Bearer <key>" with a key from WFAD_API_KEYS'
      : 'this operation needs an API key, and the server has none configured (set WFAD_API_KEYS)',
  );
};
