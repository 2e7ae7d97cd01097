/**
 * One DefaultAzureCredential per process, created on first use: it caches and refreshes tokens itself, so it
 * must be shared, and creating it lazily keeps tests that inject their own credential away from @azure/identity.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

export type { TokenCredential } from '@azure/identity';

let credential: TokenCredential | undefined;

export const getDefaultCredential = (): TokenCredential => (credential ??= new DefaultAzureCredential());
