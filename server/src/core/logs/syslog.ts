// Access logs that went through syslog (`access_log syslog:server=...`, or
// nginx's output piped to a syslog daemon) are written to disk by the daemon
// with its own header in front of each line, e.g.
//   Sep 15 16:13:46 web1 nginx[2869]: 81.150.104.130 - - [15/Sep/2021...
// nginx itself sends `<PRI>Mmm dd hh:mm:ss host tag: msg` (ngx_syslog.c);
// daemons store it as BSD-style or RFC 3339 timestamps.

import type { LogLineParser, LogParseResult } from './format';

const SYSLOG_PREFIX =
  /^(?:<\d{1,3}>)?(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) [^ ]+ [^ :[]+(?:\[\d+\])?: /;

/** Length of a syslog header at the start of `line`, or 0. */
export function syslogPrefixLength(line: string): number {
  const m = SYSLOG_PREFIX.exec(line);
  return m ? m[0].length : 0;
}

/** A parser for lines of `inner`'s format behind a syslog header. */
export function withSyslogPrefix(inner: LogLineParser): LogLineParser {
  return {
    name: `syslog+${inner.name}`,
    variables: inner.variables,
    parse(line: string): LogParseResult {
      const n = syslogPrefixLength(line);
      if (n === 0) return { ok: false, reason: 'expected a syslog header (e.g. "Sep 15 16:13:46 host nginx: ")', at: 0 };
      const r = inner.parse(line.slice(n));
      return r.ok ? r : { ...r, at: r.at + n };
    },
  };
}
