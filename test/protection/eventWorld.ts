/** The event ledger next to a protection world's runs table (`<runs table>events`), and deps that use it. */
import { createTableGateway } from '../../src/shared/gateways/sdkTableGateway';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';
import { TableEventLedger } from '../../src/shared/store/tableEventLedger';
import type { ProtectionWorld } from './protectionWorld';

export function eventLedgerOf(w: ProtectionWorld): TableEventLedger {
  const runs = w.deps.settings.runsTable;
  return new TableEventLedger(
    createTableGateway({ ...runs, tableName: `${runs.tableName}events`.slice(0, 63) }, () => w.sandbox.credential),
  );
}

/** The world's deps with the event ledger wired, as the composition root wires it. */
export const withEventLedger = (w: ProtectionWorld, deps: ProtectionDeps = w.deps): ProtectionDeps => ({
  ...deps,
  events: eventLedgerOf(w),
});

/** Log lines whose message contains `text`. */
export const logLines = (w: ProtectionWorld, text: string) => w.log.lines.filter((l) => l.message.includes(text));
