/** Writes each exchange as one oav traffic file (liveRequest/liveResponse), with the emulator URL shown as ARM's. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ARM_BASE_URL = 'https://management.azure.com';

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
        url: x.url,
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
