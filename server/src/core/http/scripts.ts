// Handlers whose code nginx runs but we do not: ngx_http_lua's `*_by_lua*`, njs's `js_content`,
// the perl module's `perl`. OpenResty admins drop bots with `ngx.exit(444)` (or its name,
// `ngx.HTTP_CLOSE`) in an access or rewrite handler, and nginx logs 444 for them as for a
// `return 444`. A router that knew only nginx's own directives would pin such a line on another
// 444 rule with confidence, or call it unmatched: the router forks where such code may answer 444.

/** What the checks read of a directive: its name, arguments and a raw block's text. */
export interface DirectiveText {
  name: string;
  args: readonly { value: string }[];
  block?: { raw?: { text: string } };
}

/** The phase a script handler runs in: rewrite and access ones at the end of their phase (not postponed off), content as the location's handler. */
export type ScriptPhase = 'rewrite' | 'access' | 'content';

/**
 * The script directives of each phase. Rewrite and access ones share one slot of the location
 * configuration (the nearest level's last one is in effect); content ones are content handlers.
 */
export const SCRIPT_DIRECTIVES: Readonly<Record<ScriptPhase, readonly string[]>> = {
  rewrite: ['rewrite_by_lua', 'rewrite_by_lua_block', 'rewrite_by_lua_file'],
  access: ['access_by_lua', 'access_by_lua_block', 'access_by_lua_file'],
  content: ['perl', 'js_content', 'content_by_lua', 'content_by_lua_block', 'content_by_lua_file'],
};

const SCRIPTS: ReadonlySet<string> = new Set(Object.values(SCRIPT_DIRECTIVES).flat());

// The status by number or by ngx_http_lua's constant for it (ngx.HTTP_CLOSE = 444).
const CLOSES = /(?<![\w.])444(?!\w)|\bHTTP_CLOSE\b/;

/**
 * Whether the handler's code may end a request with 444: inline Lua that names 444 or
 * ngx.HTTP_CLOSE; code kept elsewhere (a `_file`, an njs module, a perl package) may, as far as
 * the configuration tells.
 */
export function scriptMay444(d: DirectiveText): boolean {
  if (!SCRIPTS.has(d.name)) return false;
  if (d.name.endsWith('_by_lua_block')) return CLOSES.test(d.block?.raw?.text ?? '');
  if (d.name.endsWith('_by_lua')) return CLOSES.test(d.args[0]?.value ?? '');
  return true;
}
