/**
 * Event Grid: ARM resource events (a backup triggered elsewhere, a VM newly tagged for enrolment, a drill VM written
 * or deleted), one event per invocation as @azure/functions v4 delivers them, in the Event Grid or CloudEvents schema.
 */
import { app, type InvocationContext } from '@azure/functions';
import { parseAzureEvent } from '../shared/protection/azureEvent';
import { handleAzureEvent } from '../shared/protection/handleAzureEvent';
import { depsFor } from './protectionContext';

// The trigger's payload is typed `unknown` on purpose: it is parsed by our own guard, never trusted as typed. The
// handler never throws: Event Grid would redeliver a poison event until it is dead-lettered (the use case logs and
// records every failure instead).
export async function azureEvents(event: unknown, context: InvocationContext): Promise<void> {
  const parsed = parseAzureEvent(event);
  const outcome = await handleAzureEvent(depsFor(context), parsed);
  context.log(`azureEvents ${parsed.id || '(no id)'}: ${outcome.outcome}`, outcome);
}

app.eventGrid<unknown>('azureEvents', { handler: azureEvents });
