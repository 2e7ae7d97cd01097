/** Route table for the emulator: case-insensitive templates over the URL-decoded path, plus list paging. */
import { ArmError } from './armError';

export interface ArmRequest {
  method: string;
  /** URL-decoded path (the SDK sends %3B for ';'). */
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
  /** The emulator's own base URL, e.g. https://127.0.0.1:41234, for absolute Location headers and nextLinks. */
  baseUrl: string;
  /** Set by a chaos runCommandSkip fault: a Run Command PUT is accepted but its script is skipped. */
  skipRunCommand?: boolean;
}

export interface ArmResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type RouteHandler = (req: ArmRequest, params: Record<string, string>) => ArmResponse;

export interface Route {
  name: string;
  method: string;
  template: string;
  handler: RouteHandler;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

const compile = (route: Route): CompiledRoute => {
  const names: string[] = [];
  const source = route.template
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (m?.[1]) {
        names.push(m[1]);
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, regex: new RegExp(`^${source}/?$`, 'i'), names };
};

export class ArmRouter {
  private readonly routes: CompiledRoute[];

  constructor(routes: Route[]) {
    this.routes = routes.map(compile);
  }

  /** The matching route and its parameters; 404 for an unknown path, 405 for a known path with another method. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } {
    let pathKnown = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathKnown = true;
      if (route.method !== method.toUpperCase()) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = m[i + 1] ?? ''));
      return { route, params };
    }
    if (pathKnown) throw new ArmError(405, 'MethodNotAllowed', `The method ${method} is not allowed on ${path}.`);
    throw new ArmError(404, 'NoRegisteredProviderFound', `No route for ${method} ${path} in the sandbox.`);
  }
}

/** `{value, nextLink}` pages addressed by `$skiptoken` (an offset); nextLink keeps the other query parameters. */
export function page<T>(req: ArmRequest, items: T[], pageSize: number): { value: T[]; nextLink?: string } {
  const token = req.query.get('$skiptoken') ?? req.query.get('$skipToken');
  const offset = token === null ? 0 : Number(token);
  if (!Number.isInteger(offset) || offset < 0)
    throw new ArmError(400, 'InvalidSkipToken', `Invalid $skiptoken '${token}'.`);
  const value = items.slice(offset, offset + pageSize);
  if (offset + pageSize >= items.length) return { value };
  const next = new URLSearchParams(req.query);
  next.delete('$skipToken');
  next.set('$skiptoken', String(offset + pageSize));
  const encodedPath = req.path.split('/').map(encodeURIComponent).join('/');
  return { value, nextLink: `${req.baseUrl}${encodedPath}?${next.toString()}` };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): ArmResponse => ({
  status,
  body,
  headers,
});
