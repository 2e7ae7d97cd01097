/**
 * Signing in before a command reaches Azure, so that a missing login is one clear line instead of an SDK error
 * deep inside a Run Command or a table query (`--verbose` shows what each credential said).
 */
import { toError } from '../shared/errors/appError';
import { ARM_SCOPE } from '../shared/gateways/azureClients';
import { getDefaultCredential, type TokenCredential } from '../shared/gateways/azureCredential';
import type { CliIo } from './cliCommand';

export const STORAGE_SCOPE = 'https://storage.azure.com/.default';

export const SIGN_IN_HINT =
  'Could not sign in to Azure: run `az login` (Azure CLI), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and ' +
  'AZURE_CLIENT_SECRET for a service principal (AZURE_CLIENT_ID alone for a user-assigned managed identity).';

/** No credential of DefaultAzureCredential's chain could get a token. `details` is what each one said. */
export class SignInError extends Error {
  constructor(readonly details: string) {
    super(SIGN_IN_HINT);
    this.name = 'SignInError';
  }
}

// The errors @azure/identity throws when no credential works; matched by name (the SDK may be loaded twice).
const CREDENTIAL_ERRORS = new Set([
  'AggregateAuthenticationError',
  'CredentialUnavailableError',
  'AuthenticationError',
  'AuthenticationRequiredError',
]);

/** True when `e`, or an error it wraps, is a credential failure (an SDK call can surface one at any time). */
export function isCredentialFailure(e: unknown): boolean {
  for (let at: unknown = e, depth = 0; at instanceof Error && depth < 8; at = at.cause, depth += 1) {
    if (at instanceof SignInError || CREDENTIAL_ERRORS.has(at.name)) return true;
  }
  return false;
}

/** The CLI's credential (the caller's, or DefaultAzureCredential), after it got a token for `scope`. */
export async function signIn(io: CliIo, scope: string = ARM_SCOPE): Promise<TokenCredential> {
  const credential = io.credential ?? getDefaultCredential();
  try {
    const token = await credential.getToken(scope);
    if (token === null) throw new Error('the credential returned no token');
  } catch (e) {
    throw new SignInError(toError(e).message);
  }
  return credential;
}
