/** What gateways log: only events a caller cannot see otherwise (a failed clean-up that was not thrown). */
import { redactSecrets, redactSecretsDeep } from '../config/redactSecrets';

export interface GatewayLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

/** Messages and details can quote URLs: a SAS signature (`sig=`) or a key in them is redacted before logging. */
export const consoleGatewayLogger: GatewayLogger = {
  warn: (message, details) => console.warn(redactSecrets(message), redactSecretsDeep(details ?? {})),
};
