// Structural facts about nginx configuration that the reference does not carry.
// Each set is small, named for what it holds, and cites the nginx source that states it.
// No directive table lives here: argument counts, contexts and docs come from the reference.

import type { Arg, Directive } from './syntax';

/**
 * Blocks whose contents a module reads with its own handler (`cf->handler = ...`), so the lines
 * inside are map entries, MIME types, charset pairs... not directives:
 * ngx_http_map_module.c / ngx_stream_map_module.c (map), ngx_http_geo_module.c /
 * ngx_stream_geo_module.c (geo), ngx_http_core_module.c ngx_http_core_types (types),
 * ngx_http_split_clients_module.c / ngx_stream_split_clients_module.c (split_clients),
 * ngx_http_charset_filter_module.c (charset_map). `match` (NGINX Plus health checks) and
 * `num_map` hold conditions/entries in the same way.
 */
export const RAW_CONTENT_BLOCKS: ReadonlySet<string> = new Set([
  'map',
  'geo',
  'types',
  'split_clients',
  'charset_map',
  'match',
  'num_map',
]);

/**
 * Directives of the third-party lua module (lua-nginx-module, loaded by Debian's nginx-full).
 * All of them are registered by an HTTP (or stream) module, so nginx never accepts them at
 * the main level or in events (ngx_conf_handler skips commands whose module type differs from
 * the block's, src/core/ngx_conf_file.c). `*_by_lua_block` contents are Lua, not directives.
 */
export function isLuaDirective(name: string): boolean {
  return /^lua_|_by_lua(_block|_file)?$/.test(name) || name === 'lua_block';
}

/**
 * Main-level blocks nginx refuses to see twice: their handlers (ngx_events_block in
 * src/event/ngx_event.c, ngx_http_block in src/http/ngx_http.c, ngx_stream_block,
 * ngx_mail_block) return "is duplicate" when the context already exists.
 */
export const SINGLETON_MAIN_BLOCKS: ReadonlySet<string> = new Set(['events', 'http', 'stream', 'mail']);

/**
 * Third-party modules Debian 12's nginx-full loads (libnginx-mod-*) that the reference does not
 * document, with the directive-name patterns their sources register. Used only to word the
 * "unknown directive" diagnostic (these are real, just not in NGINX's reference).
 */
export const DEBIAN_THIRD_PARTY_MODULES: readonly { module: string; pattern: RegExp }[] = [
  { module: 'lua (ngx_http_lua_module)', pattern: /^lua_|_by_lua(_block|_file)?$|^lua_block$/ },
  { module: 'headers-more (ngx_http_headers_more_filter_module)', pattern: /^more_(set|clear)_(input_)?headers$/ },
  { module: 'echo (ngx_http_echo_module)', pattern: /^echo(_[a-z_]+)?$/ },
  { module: 'set-misc (ngx_http_set_misc_module)', pattern: /^set_[a-z0-9_]+$/ },
  { module: 'ndk (ndk_http_module)', pattern: /^ndk_/ },
  { module: 'geoip2 (ngx_http_geoip2_module)', pattern: /^geoip2(_[a-z_]+)?$/ },
  { module: 'nchan (ngx_nchan_module)', pattern: /^nchan_|^push_stream_/ },
  { module: 'rtmp (ngx_rtmp_module)', pattern: /^rtmp(_[a-z_]+)?$/ },
  { module: 'brotli (ngx_http_brotli_*_module)', pattern: /^brotli(_[a-z_]+)?$/ },
  { module: 'fancyindex (ngx_http_fancyindex_module)', pattern: /^fancyindex(_[a-z_]+)?$/ },
  { module: 'dav-ext (ngx_http_dav_ext_module)', pattern: /^dav_ext_/ },
  { module: 'auth-pam (ngx_http_auth_pam_module)', pattern: /^auth_pam(_[a-z_]+)?$/ },
  { module: 'subs-filter (ngx_http_subs_filter_module)', pattern: /^subs_filter(_types)?$/ },
  { module: 'uploadprogress (ngx_http_uploadprogress_module)', pattern: /^(upload_progress(_[a-z_]+)?|track_uploads|report_uploads)$/ },
  { module: 'upstream-fair (ngx_http_upstream_fair_module)', pattern: /^(fair|upstream_fair_[a-z_]+)$/ },
  { module: 'srcache (ngx_http_srcache_filter_module)', pattern: /^srcache_/ },
  { module: 'memc (ngx_http_memc_module)', pattern: /^memc_/ },
  { module: 'modsecurity (ngx_http_modsecurity_module)', pattern: /^modsecurity(_[a-z_]+)?$/ },
  { module: 'cache-purge (ngx_http_cache_purge_module)', pattern: /^(proxy|fastcgi|scgi|uwsgi)_cache_purge$/ },
];

export function thirdPartyModuleOf(name: string): string | undefined {
  return DEBIAN_THIRD_PARTY_MODULES.find((m) => m.pattern.test(name))?.module;
}

/**
 * `{{ x }}` (Go, Jinja, Handlebars), `{% x %}` or `<% x %>` placeholders left in an unquoted
 * token. (`${x}` is not here: in an argument it is nginx's own variable syntax.)
 */
export function looksLikeTemplate(text: string): boolean {
  return /\{\{|\}\}|\{%|%\}|<%|%>/.test(text);
}

/**
 * Where nginx 1.22's own command tables accept more than the reference documents, found by
 * comparing every ngx_command_t of nginx 1.22.1 with the reference. Without these, configs nginx
 * accepts would get false errors. Nothing here narrows the reference; it only widens it.
 */
export const REFERENCE_GAPS: {
  /** Contexts nginx accepts beyond the reference's list, by family and name. */
  contexts: readonly { family: 'http' | 'stream' | 'mail'; name: string; add: readonly string[]; source: string }[];
  /** Argument counts nginx accepts beyond the reference's syntax lines. */
  args: readonly { name: string; values?: readonly number[]; from?: number; source: string }[];
  /**
   * Directives whose syntax looks like a ngx_conf_set_*_slot value (see validate.ts
   * rejectsDuplicate) but whose 1.22 handler accepts a repeat.
   */
  duplicatesAccepted: readonly { family: 'http' | 'stream' | 'mail'; names: readonly string[]; source: string }[];
} = {
  contexts: [
    {
      family: 'http',
      name: 'fastcgi_split_path_info',
      add: ['http', 'server'],
      source: 'src/http/modules/ngx_http_fastcgi_module.c: NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF',
    },
    {
      family: 'http',
      name: 'secure_link_secret',
      add: ['http', 'server'],
      source: 'src/http/modules/ngx_http_secure_link_module.c: NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF',
    },
  ],
  args: [
    // "stub_status on;" was required before 1.7.5 and is still accepted.
    { name: 'stub_status', values: [0, 1], source: 'src/http/modules/ngx_http_stub_status_module.c: NGX_CONF_NOARGS|NGX_CONF_TAKE1' },
    // Several levels may be listed (error_log file debug_http debug_event).
    { name: 'error_log', from: 1, source: 'src/core/ngx_log.c ngx_log_set_levels; NGX_CONF_1MORE' },
    { name: 'geoip_country', values: [1, 2], source: 'src/http/modules/ngx_http_geoip_module.c: NGX_CONF_TAKE12' },
    { name: 'geoip_org', values: [1, 2], source: 'src/http/modules/ngx_http_geoip_module.c: NGX_CONF_TAKE12' },
    { name: 'geoip_city', values: [1, 2], source: 'src/http/modules/ngx_http_geoip_module.c: NGX_CONF_TAKE12' },
  ],
  duplicatesAccepted: [
    { family: 'mail', names: ['protocol'], source: 'src/mail/ngx_mail_core_module.c ngx_mail_core_protocol overwrites' },
    {
      family: 'http',
      names: ['http2_max_requests', 'http2_max_field_size', 'http2_max_header_size', 'http2_recv_timeout', 'http2_idle_timeout'],
      source: 'src/http/v2/ngx_http_v2_module.c ngx_http_v2_obsolete only warns',
    },
  ],
};

/**
 * Directives that create a variable, with the argument naming it ('last' = the last argument).
 * Each registers it through ngx_http_add_variable (ngx_http_rewrite_module.c set,
 * ngx_http_map_module.c, ngx_http_geo_module.c, ngx_http_split_clients_module.c,
 * ngx_http_auth_request_module.c auth_request_set, perl_set, njs js_set/js_var).
 */
export const VARIABLE_DEFINING_DIRECTIVES: ReadonlyMap<string, number | 'last'> = new Map<string, number | 'last'>([
  ['set', 0],
  ['map', 1],
  ['geo', 'last'],
  ['split_clients', 1],
  ['auth_request_set', 0],
  ['perl_set', 0],
  ['js_set', 0],
  ['js_var', 0],
]);

/** The variable a defining directive creates: its name (lower-cased, without "$") and argument. */
export function definedVariable(d: Directive): { name: string; arg: Arg } | undefined {
  const at = VARIABLE_DEFINING_DIRECTIVES.get(d.name);
  if (at === undefined) return undefined;
  const arg = at === 'last' ? d.args[d.args.length - 1] : d.args[at];
  if (!arg || !arg.value.startsWith('$')) return undefined;
  return { name: arg.value.slice(1).toLowerCase(), arg };
}

/**
 * Of ngx_http_core_module's built-in variables, only these may be redefined: ngx_http_add_variable
 * (src/http/ngx_http_variables.c) fails with `the duplicate "x" variable` for any existing variable
 * without NGX_HTTP_VAR_CHANGEABLE, and in ngx_http_core_variables only $args and $limit_rate have it.
 */
export const CHANGEABLE_CORE_VARIABLES: ReadonlySet<string> = new Set(['args', 'limit_rate']);
