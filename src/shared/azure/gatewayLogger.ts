/** What gateways log: only events a caller cannot see otherwise (a failed clean-up that was not thrown). */
export interface GatewayLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

export const consoleGatewayLogger: GatewayLogger = {
  warn: (message, details) => console.warn(message, details ?? {}),
};
