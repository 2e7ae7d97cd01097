/** Event Grid: ARM resource events (a backup triggered elsewhere, a VM written that may carry the enrollment tag). */
import { app, type InvocationContext } from '@azure/functions';
import { parseAzureEvent } from '../shared/protection/azureEvent';
import { handleAzureEvent } from '../shared/protection/handleAzureEvent';
import { depsFor } from './protectionContext';

// The trigger's payload is typed `unknown` on purpose: it is parsed by our own guard, never trusted as typed.
export async function azureEvents(event: unknown, context: InvocationContext): Promise<void> {
  const parsed = parseAzureEvent(event);
  const outcome = await handleAzureEvent(depsFor(context), parsed);
  context.log(`azureEvents ${parsed.id || '(no id)'}: ${outcome.outcome}`, outcome);
}

app.eventGrid<unknown>('azureEvents', { handler: azureEvents });
