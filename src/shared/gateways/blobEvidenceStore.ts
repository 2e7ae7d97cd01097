/**
 * EvidenceStore over @azure/storage-blob: the container that keeps each drill's whole verifier output. The Run
 * Command handler writes it itself (outputBlobUri, an append blob), so the app hands out a short-lived SAS URL
 * for one blob: a user delegation SAS signed with the managed identity in Azure, or a service SAS signed with the
 * account key of the connection string in the sandbox (Azurite). A SAS is a secret: it is returned to the caller
 * only, and every error message leaving this file has its `sig=` redacted.
 */
import {
  BlobSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  SASProtocol,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import type { AbortOptions } from '../azure/backupGateway';
import type { EvidenceStore } from '../azure/drillResources';
import type { EvidenceStoreSettings } from '../config/evidenceSettings';
import { redactSecrets } from '../config/redactSecrets';
import { AppError } from '../errors/appError';
import { toAzureAppError } from './azureError';

const MODULE = 'blobEvidenceStore';
/** Create, write and add (append blocks): all an append blob's writer needs, and no read, list or delete. */
const UPLOAD_PERMISSIONS = 'cwa';
/** The SAS is valid from a little before now: clocks of the VM and of Storage may differ by a few minutes. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** A user delegation key lives at most 7 days; asking for more fails. */
const MAX_SAS_MS = 7 * 24 * 3600_000;
const LOCAL_EMULATOR = /usedevelopmentstorage=true|defaultendpointsprotocol=http;|blobendpoint=http:/i;

/** Signs a SAS for one blob of the container. */
type SignUpload = (blobName: string, startsOn: Date, expiresOn: Date) => Promise<string>;

export const createBlobEvidenceStore = (
  settings: EvidenceStoreSettings,
  credential: () => TokenCredential,
): EvidenceStore => {
  if (settings.kind === 'connectionString') {
    const service = BlobServiceClient.fromConnectionString(settings.connectionString);
    const container = service.getContainerClient(settings.containerName);
    return new BlobEvidenceStore(container, async (blobName, startsOn, expiresOn) => {
      const blob = container.getBlobClient(blobName);
      // Service SAS signed with the account key; http is allowed for the local emulator only.
      return blob.generateSasUrl({
        permissions: BlobSASPermissions.parse(UPLOAD_PERMISSIONS),
        startsOn,
        expiresOn,
        protocol: LOCAL_EMULATOR.test(settings.connectionString) ? SASProtocol.HttpsAndHttp : SASProtocol.Https,
      });
    });
  }
  const url = new URL(settings.containerUrl);
  const containerName = url.pathname.replace(/^\/+|\/+$/g, '');
  const service = new BlobServiceClient(url.origin, credential());
  const container = service.getContainerClient(containerName);
  return new BlobEvidenceStore(container, async (blobName, startsOn, expiresOn) => {
    const key = await service.getUserDelegationKey(startsOn, expiresOn);
    const sas = generateBlobSASQueryParameters(
      {
        containerName,
        blobName,
        permissions: BlobSASPermissions.parse(UPLOAD_PERMISSIONS),
        startsOn,
        expiresOn,
        protocol: SASProtocol.Https,
      },
      key,
      service.accountName,
    ).toString();
    return `${container.getBlobClient(blobName).url}?${sas}`;
  });
};

/** Error text with any SAS signature removed (RestError messages and requests can quote the URL). */
const toEvidenceError = (e: unknown, action: string): Error => {
  const error = toAzureAppError(e, MODULE, action);
  if (error instanceof AppError) {
    return new AppError(error.code, {
      module: MODULE,
      message: redactSecrets(error.message),
      retryable: error.retryable,
      ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
      ...(error.serviceCode === undefined ? {} : { serviceCode: error.serviceCode }),
    });
  }
  return error;
};

export class BlobEvidenceStore implements EvidenceStore {
  private ensured: Promise<void> | undefined;

  constructor(
    private readonly container: ContainerClient,
    private readonly signUpload: SignUpload,
    private readonly now: () => number = Date.now,
  ) {}

  async uploadUrl(blobName: string, expiresOn: Date): Promise<string> {
    const nowMs = this.now();
    if (!(expiresOn.getTime() > nowMs) || expiresOn.getTime() - nowMs > MAX_SAS_MS) {
      throw new AppError('INVALID_INPUT', {
        module: MODULE,
        message: `evidence upload URL for ${blobName}: expiry ${expiresOn.toISOString()} must be in the future and within 7 days`,
      });
    }
    await this.ensureContainer();
    try {
      return await this.signUpload(blobName, new Date(nowMs - CLOCK_SKEW_MS), expiresOn);
    } catch (e) {
      throw toEvidenceError(e, `sign an upload URL for evidence ${blobName}`);
    }
  }

  async read(blobName: string, options: AbortOptions = {}): Promise<AsyncIterable<Uint8Array> | undefined> {
    try {
      const response = await this.container
        .getBlobClient(blobName)
        .download(0, undefined, { abortSignal: options.abortSignal });
      const body = response.readableStreamBody;
      if (body === undefined) return emptyStream();
      return body as AsyncIterable<Uint8Array>;
    } catch (e) {
      const error = toEvidenceError(e, `read evidence ${blobName}`);
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** Once per process; a failure is not cached, so the next call tries again. */
  private ensureContainer(): Promise<void> {
    this.ensured ??= this.container.createIfNotExists().then(
      () => undefined,
      (e: unknown) => {
        this.ensured = undefined;
        throw toEvidenceError(e, `create the evidence container ${this.container.containerName}`);
      },
    );
    return this.ensured;
  }
}

async function* emptyStream(): AsyncIterable<Uint8Array> {
  // A blob with no body: nothing to yield.
}
