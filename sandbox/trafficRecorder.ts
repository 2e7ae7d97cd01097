/**
 * Writes each exchange as one oav traffic file (liveRequest/liveResponse), with the emulator URL shown as ARM's and
 * the api-version a data-plane spec needs added where the client sends none.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ARM_BASE_URL = 'https://management.azure.com';

/**
 * Data-plane calls whose client sends no `api-version`, but whose spec oav files under one: without it in the URL oav
 * reports "Undefined operation" (../shared/azure-specs/README.md, Log Analytics). Added to the recorded URL only.
 */
export const DATA_PLANE_API_VERSIONS: readonly { pattern: RegExp; apiVersion: string }[] = [
  { pattern: /^\/v1\/workspaces\/[^/]+\/query$/i, apiVersion: '2022-10-27' },
];

/** The URL as oav must see it: with the spec's api-version when the client sent none. */
export function withSpecApiVersion(url: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.has('api-version')) return url;
  const match = DATA_PLANE_API_VERSIONS.find((d) => d.pattern.test(parsed.pathname));
  if (match === undefined) return url;
  parsed.searchParams.set('api-version', match.apiVersion);
  return parsed.toString();
}

export interface RecordedExchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: unknown;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: unknown;
  routeName: string;
}

export class TrafficRecorder {
  private seq = 0;

  constructor(
    readonly dir: string,
    private readonly baseUrl: string,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  record(x: RecordedExchange): void {
    this.seq += 1;
    const traffic = {
      liveRequest: {
        url: withSpecApiVersion(x.url),
        method: x.method,
        headers: x.requestHeaders,
        body: x.requestBody ?? null,
      },
      liveResponse: {
        statusCode: String(x.status),
        headers: x.responseHeaders,
        body: x.responseBody ?? null,
      },
    };
    const text = JSON.stringify(traffic, null, 2).split(this.baseUrl).join(ARM_BASE_URL);
    const name = `${String(this.seq).padStart(5, '0')}-${x.routeName.replace(/[^A-Za-z0-9.-]/g, '_')}.json`;
    fs.writeFileSync(path.join(this.dir, name), text);
  }
}
