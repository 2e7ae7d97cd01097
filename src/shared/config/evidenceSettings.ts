/**
 * Where drill evidence (each verifier's whole output) is kept: IBG_EVIDENCE_CONTAINER_URL with the managed identity,
 * or, without it, the container `ibg-evidence` of the storage account named by IBG_RUNS_TABLE_CONNECTION_STRING
 * (local development and the sandbox, Azurite). Absent when neither is set.
 */
import type { SettingReader } from './settingReader';
import { parseStorageConnectionString } from './settingFormats';

export const EVIDENCE_CONTAINER_NAME = 'ibg-evidence';

export type EvidenceStoreSettings =
  | { kind: 'containerUrl'; containerUrl: string }
  | { kind: 'connectionString'; /** Secret: never log it. */ connectionString: string; containerName: string };

/** https://<host>/<container>: no query (a SAS pasted here would be a secret), no blob path, a valid container name. */
export const parseContainerUrl = (value: string): string | undefined => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    return undefined;
  const container = url.pathname.replace(/^\/+|\/+$/g, '');
  if (!/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/.test(container)) return undefined;
  return `${url.origin}/${container}`;
};

export const readEvidenceSettings = (r: SettingReader): EvidenceStoreSettings | undefined => {
  const containerUrl = r.optional(
    'IBG_EVIDENCE_CONTAINER_URL',
    parseContainerUrl,
    'is not an https blob container URL without query (https://<account>.blob.core.windows.net/<container>)',
  );
  if (containerUrl !== undefined) return { kind: 'containerUrl', containerUrl };
  if (r.isSet('IBG_EVIDENCE_CONTAINER_URL')) return undefined;
  const value = (r.raw('IBG_RUNS_TABLE_CONNECTION_STRING') ?? '').trim();
  const connectionString = value === '' ? undefined : parseStorageConnectionString(value);
  return connectionString === undefined
    ? undefined
    : { kind: 'connectionString', connectionString, containerName: EVIDENCE_CONTAINER_NAME };
};
