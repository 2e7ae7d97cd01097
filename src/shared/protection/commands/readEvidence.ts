import { integrityOfEvidence } from '../../drills/integrityEvidence';
import type { CommandHandler } from './commandHandler';
import { drillDepsOf } from './drillDeps';

/**
 * Streams the verifier's whole output from the evidence blob through the integrity parser: memory stays bounded
 * whatever its size. An absent blob is reported (the verdict then comes from the summary); a failed read is thrown
 * and retried by a later tick.
 */
export const readEvidence: CommandHandler<'ReadEvidence'> = async ({ deps, command, at }) => {
  const stream = await drillDepsOf(deps).evidence.read(command.blobName);
  if (stream === undefined) {
    return [{ type: 'EvidenceUnavailable', at, reason: `the evidence blob ${command.blobName} does not exist` }];
  }
  return [{ type: 'EvidenceRead', at, integrity: await integrityOfEvidence(stream, command.databases) }];
};
