// Builds an HTTP model from config text and routes requests described like log fields.
import { parse } from '../../server/src/core/parser';
import { buildModelFromFile, type HttpModel } from '../../server/src/core/http/model';
import { route, type Outcome } from '../../server/src/core/http/route';
import { Attributor } from '../../server/src/core/http/attribute';
import type { RequestFacts } from '../../server/src/core/http/request';

export function modelOf(conf: string): HttpModel {
  return buildModelFromFile(parse(conf, '/etc/nginx/nginx.conf'), { prefix: '/var/lib/nginx/' });
}

export function http(body: string): string {
  return `events {}\nhttp {\n${body}\n}\n`;
}

export function facts(f: Partial<RequestFacts> & { vars?: Record<string, string | null> }): RequestFacts {
  return { vars: {}, ...f };
}

/** Outcomes as compact strings: "444@line" (1-based line of the rule) or "content@line-of-location". */
export function outcomesOf(model: HttpModel, f: RequestFacts): string[] {
  return route(model, f).outcomes.map(describe).sort();
}

export function describe(o: Outcome): string {
  const at = o.rule ? `:${o.rule.range.start.line + 1}` : o.location ? `@loc${o.location.d.range.start.line + 1}` : '';
  return `${o.status}${at}`;
}

/** The single outcome of a fully known request. */
export function one(model: HttpModel, f: RequestFacts): Outcome {
  const r = route(model, f).outcomes;
  if (r.length !== 1) throw new Error(`expected one outcome, got ${r.map(describe).join(', ')}`);
  return r[0];
}

export { Attributor };

/** Line (1-based) of the first line of `conf` containing `needle`. */
export function lineOf(conf: string, needle: string, nth = 0): number {
  const lines = conf.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) if (lines[i].includes(needle) && seen++ === nth) return i + 1;
  throw new Error(`not found: ${needle}`);
}
