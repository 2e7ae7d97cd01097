/** An HTTP request and answer as the evidence API sees them, whoever serves it (the Functions host or the CLI). */
export interface ApiRequest {
  method: string;
  /** The path under the API's prefix, e.g. `/fleet` or `/dashboard/vms/<key>`, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  header(name: string): string | undefined;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Every answer: never cached (a function key may be in the URL, and the evidence changes), never sniffed. */
const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export const jsonResponse = (status: number, value: unknown): ApiResponse => ({
  status,
  headers: { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8' },
  body: JSON.stringify(value),
});

export const errorResponse = (status: number, error: string, fix?: string): ApiResponse =>
  jsonResponse(status, fix === undefined ? { error } : { error, fix });

export const fileResponse = (
  status: number,
  contentType: string,
  body: string,
  extra: Record<string, string> = {},
): ApiResponse => ({ status, headers: { ...COMMON_HEADERS, 'Content-Type': contentType, ...extra }, body });
