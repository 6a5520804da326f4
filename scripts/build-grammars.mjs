// Generates syntaxes/nginx.tmLanguage.json and syntaxes/nginx-access-log.tmLanguage.json.
//
// The grammars are written here rather than as raw JSON because their regexes share building
// blocks (what starts a token, what a bare word is) that must stay identical everywhere, and
// hand-escaped JSON regexes drift. `node scripts/build-grammars.mjs` rewrites the JSON files;
// test/grammar/generated.test.ts fails when the committed JSON is not what this file produces.
//
// Tokenization facts the nginx grammar follows (src/core/ngx_conf_file.c, ngx_conf_read_token):
// - tokens are separated by space, tab, CR, LF; `;` ends a directive, `{` opens its block;
// - `#` starts a comment only where a token could start (`a#b` is one word);
// - `"` and `'` open a quoted token only where a token starts (`a"b"` is one word);
// - inside a bare word `}` is literal, while `{` ends the word unless it directly follows `$`
//   (`${var}`), so an unquoted `^/a{3}$` is NOT one regex — nginx opens a block there;
// - a backslash escapes the next character, in words and in quotes; both quote kinds
//   interpolate variables.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const r = String.raw;

// ---------------------------------------------------------------------------------------------
// nginx configuration
// ---------------------------------------------------------------------------------------------

/** Token start: nothing but whitespace or a statement delimiter before it. */
const TS = r`(?<![^\s;{}])`;
/** Token start inside an `if (...)` condition, where `(` may be glued to the first operand. */
const TS_COND = r`(?<![^\s;{}(])`;
/** The token ends here. */
const TE = r`(?=[\s;{]|$)`;
const QD = r`"(?:[^"\\]|\\.)*"`;
const QS = r`'(?:[^'\\]|\\.)*'`;
/** One bare (unquoted) token: `{` continues it only right after `$`. */
const BARE = r`(?:[^\s;{}"'#\\]|\\.)(?:[^\s;{\\]|\\.|(?<=\$)\{)*`;
/** A complete token: quoted on one line, or bare. */
const TOKEN = `(?:${QD}|${QS}|${BARE})`;
/** The shortest bare token, for an `if` regex whose closing `)` belongs to the condition. */
const BARE_LAZY = r`(?:[^\s;{}"'#\\]|\\.)(?:[^\s;{\\]|\\.|(?<=\$)\{)*?`;
/**
 * The rest of a directive's first line reaches `{`: quoted strings and `${var}` skipped, a `#`
 * or `;` gives up. Used only to decide whether a name opens a block.
 */
const OPENS_BLOCK = r`(?=(?:[^;{"'#$]|\$(?!\{)|\$\{[^}]*\}|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')*\{)`;

/** A directive ends at `;`, before its block's `{`, or (recovering from a missing `;`) before `}`. */
const DIRECTIVE_END = r`(;)|(?=\{)|(?<![^\s])(?=\})`;
const DIRECTIVE_END_CAPTURES = { 1: { name: 'punctuation.terminator.directive.nginx' } };

const SCOPE_DIRECTIVE = 'keyword.other.directive.nginx';
const SCOPE_BLOCK = 'keyword.control.directive.block.nginx';
const blockScope = (kind) => `keyword.control.directive.block.${kind}.nginx`;

/** Block directives whose body is nginx directives; `server` is handled apart (also simple in upstream). */
const PLAIN_BLOCKS = ['http', 'events', 'upstream', 'stream', 'mail', 'limit_except', 'match'];

const directive = (begin, beginCaptures, patterns, name) => ({
  ...(name ? { name } : {}),
  begin,
  beginCaptures,
  end: DIRECTIVE_END,
  endCaptures: DIRECTIVE_END_CAPTURES,
  patterns,
});

/** A quoted string; `regexp` gives it regex content (a regex argument or map key). */
function quoted(kind, lookbehind, { regexp = false, name } = {}) {
  const q = kind === 'double' ? '"' : "'";
  return {
    name: name ?? (regexp ? 'string.regexp.quoted.nginx' : `string.quoted.${kind}.nginx`),
    begin: `${lookbehind}${q}`,
    beginCaptures: { 0: { name: 'punctuation.definition.string.begin.nginx' } },
    end: q,
    endCaptures: { 0: { name: 'punctuation.definition.string.end.nginx' } },
    patterns: regexp ? [{ include: '#regexp-content' }] : [{ include: '#escape' }, { include: '#variables' }],
  };
}

/** Key-value blocks (map, geo, types, split_clients, charset_map): the body holds entries, not directives. */
function keyValueBlock(names, kind, keyPatterns) {
  return {
    name: `meta.block.${kind}.nginx`,
    begin: `${TS}(${names})(?=[\\s{]|$)`,
    beginCaptures: { 1: { name: blockScope(kind) } },
    // Ends right after the body's closing brace: a `}` standing where a token starts (a `}`
    // inside a header word such as `${var}` must not end it).
    end: r`(?<=^\}|[\s;{}]\})|(;)`,
    endCaptures: DIRECTIVE_END_CAPTURES,
    patterns: [
      { include: '#comment' },
      {
        name: `meta.block.body.${kind}.nginx`,
        begin: r`\{`,
        beginCaptures: { 0: { name: 'punctuation.section.block.begin.nginx' } },
        end: r`\}`,
        endCaptures: { 0: { name: 'punctuation.section.block.end.nginx' } },
        patterns: [
          { include: '#comment' },
          { include: '#include' },
          {
            name: `meta.entry.${kind}.nginx`,
            // Zero-width: the entry's first token is its key, matched by the \G patterns.
            begin: `${TS}(?=[^\\s;{}#])`,
            end: DIRECTIVE_END,
            endCaptures: DIRECTIVE_END_CAPTURES,
            patterns: [...keyPatterns, { include: '#arguments' }],
          },
        ],
      },
      { include: '#arguments' },
    ],
  };
}

function nginxGrammar() {
  const regexpToken = [
    {
      match: r`(")((?:[^"\\]|\\.)*)(")`,
      name: 'string.regexp.quoted.nginx',
      captures: {
        1: { name: 'punctuation.definition.string.begin.nginx' },
        2: { patterns: [{ include: '#regexp-content' }] },
        3: { name: 'punctuation.definition.string.end.nginx' },
      },
    },
    {
      match: r`(')((?:[^'\\]|\\.)*)(')`,
      name: 'string.regexp.quoted.nginx',
      captures: {
        1: { name: 'punctuation.definition.string.begin.nginx' },
        2: { patterns: [{ include: '#regexp-content' }] },
        3: { name: 'punctuation.definition.string.end.nginx' },
      },
    },
    { match: r`.+`, name: 'string.regexp.unquoted.nginx', captures: { 0: { patterns: [{ include: '#regexp-content' }] } } },
  ];

  const statusPatterns = [
    // 444 is nginx's "close the connection without a response": the drops this project traces.
    // The inner keyword.control scope gives it a colour of its own in stock themes.
    { match: `${TS}(444)${TE}`, captures: { 1: { name: 'constant.numeric.status.drop.nginx keyword.control.status.drop.nginx' } } },
    { match: `${TS}([1-5][0-9]{2})${TE}`, captures: { 1: { name: 'constant.numeric.status.nginx' } } },
  ];

  const mapKeys = [
    { match: r`\G(default)(?=[\s;]|$)`, name: 'keyword.other.default.nginx' },
    { match: r`\G(hostnames|volatile)(?=[\s;]|$)`, name: 'keyword.other.flag.nginx' },
    {
      name: 'string.regexp.quoted.map-key.nginx',
      begin: r`\G(["'])(~\*?)`,
      beginCaptures: {
        1: { name: 'punctuation.definition.string.begin.nginx' },
        2: { name: 'keyword.operator.regexp.modifier.nginx' },
      },
      end: r`\1`,
      endCaptures: { 0: { name: 'punctuation.definition.string.end.nginx' } },
      patterns: [{ include: '#regexp-content' }],
    },
    {
      match: r`\G(~\*?)((?:[^\s;{\\]|\\.|(?<=\$)\{)*)`,
      name: 'string.regexp.unquoted.map-key.nginx',
      captures: {
        1: { name: 'keyword.operator.regexp.modifier.nginx' },
        2: { patterns: [{ include: '#regexp-content' }] },
      },
    },
    quoted('double', r`\G`, { name: 'string.quoted.double.map-key.nginx' }),
    quoted('single', r`\G`, { name: 'string.quoted.single.map-key.nginx' }),
    { match: `\\G${BARE}`, name: 'string.unquoted.map-key.nginx', captures: { 0: { patterns: [{ include: '#escape' }] } } },
  ];

  const geoKeys = [
    { match: r`\G(default|proxy|proxy_recursive|ranges|delete)(?=[\s;]|$)`, name: 'keyword.other.geo.nginx' },
    quoted('double', r`\G`, { name: 'string.quoted.double.geo-key.nginx' }),
    quoted('single', r`\G`, { name: 'string.quoted.single.geo-key.nginx' }),
    { match: `\\G${BARE}`, name: 'constant.other.network.geo-key.nginx' },
  ];

  const typesKeys = [
    quoted('double', r`\G`, { name: 'string.quoted.double.mime-type.nginx' }),
    quoted('single', r`\G`, { name: 'string.quoted.single.mime-type.nginx' }),
    { match: `\\G${BARE}`, name: 'entity.name.type.mime-type.nginx' },
  ];

  const splitClientsKeys = [
    { match: r`\G(\d+(?:\.\d+)?%)(?=[\s;]|$)`, name: 'constant.numeric.percentage.nginx' },
    { match: r`\G(\*)(?=[\s;]|$)`, name: 'keyword.operator.wildcard.nginx' },
    { match: `\\G${BARE}`, name: 'invalid.illegal.split-clients-key.nginx' },
  ];

  const charsetMapKeys = [{ match: `\\G${BARE}`, name: 'constant.numeric.hex.charset-map.nginx' }];

  const repository = {
    statements: {
      patterns: [
        { include: '#comment' },
        { include: '#lua-block' },
        { include: '#map' },
        { include: '#geo' },
        { include: '#types' },
        { include: '#split-clients' },
        { include: '#charset-map' },
        { include: '#if' },
        { include: '#location' },
        { include: '#include' },
        { include: '#return' },
        { include: '#rewrite' },
        { include: '#server-name' },
        { include: '#block-directive' },
        { include: '#directive' },
        { include: '#unknown-statement' },
        { include: '#block' },
        { match: ';', name: 'punctuation.terminator.directive.nginx' },
      ],
    },

    comment: {
      match: `${TS}(#).*$`,
      name: 'comment.line.number-sign.nginx',
      captures: { 1: { name: 'punctuation.definition.comment.nginx' } },
    },

    block: {
      name: 'meta.block.nginx',
      begin: r`\{`,
      beginCaptures: { 0: { name: 'punctuation.section.block.begin.nginx' } },
      end: r`\}`,
      endCaptures: { 0: { name: 'punctuation.section.block.end.nginx' } },
      patterns: [{ include: '#statements' }],
    },

    'block-directive': {
      patterns: [
        directive(
          `${TS}(["']?)(${PLAIN_BLOCKS.join('|')})\\1(?=[\\s{]|$)`,
          { 2: { name: SCOPE_BLOCK } },
          [{ include: '#arguments' }],
          'meta.directive.block.nginx',
        ),
        // `server` opens a block in http/stream/mail, and is a plain directive inside upstream.
        directive(
          `${TS}(["']?)(server)\\1(?=\\s*(?:#.*)?$|${OPENS_BLOCK})`,
          { 2: { name: SCOPE_BLOCK } },
          [{ include: '#arguments' }],
          'meta.directive.block.nginx',
        ),
        // Any other name whose header reaches `{` on its line (third-party blocks: rtmp, geoip2, ...).
        directive(
          `${TS}(["']?)([A-Za-z_][A-Za-z0-9_]*)\\1${OPENS_BLOCK}`,
          { 2: { name: SCOPE_BLOCK } },
          [{ include: '#arguments' }],
          'meta.directive.block.nginx',
        ),
      ],
    },

    directive: directive(
      `${TS}(["']?)([A-Za-z_][A-Za-z0-9_]*)\\1${TE}`,
      { 2: { name: SCOPE_DIRECTIVE } },
      [{ include: '#arguments' }],
      'meta.directive.nginx',
    ),

    // A statement whose first token is not a directive name (a template placeholder such as
    // `${SERVER_CONFIG}` or `{{PORT}}`, a stray quoted word): keep its strings and `;` in step.
    'unknown-statement': directive(`${TS}(?=[^\\s;{}#])`, {}, [{ include: '#arguments' }], 'meta.directive.unknown.nginx'),

    include: directive(
      `${TS}(["']?)(include)\\1${TE}`,
      { 2: { name: 'keyword.other.directive.include.nginx' } },
      [
        { include: '#comment' },
        quoted('double', TS, { name: 'string.quoted.double.path.nginx' }),
        quoted('single', TS, { name: 'string.quoted.single.path.nginx' }),
        { match: `${TS}${BARE}`, name: 'string.unquoted.path.nginx' },
      ],
      'meta.directive.include.nginx',
    ),

    return: directive(
      `${TS}(["']?)(return|limit_req_status|limit_conn_status)\\1${TE}`,
      { 2: { name: SCOPE_DIRECTIVE } },
      [...statusPatterns, { include: '#arguments' }],
      'meta.directive.return.nginx',
    ),

    rewrite: directive(
      `${TS}(["']?)(rewrite)\\1${TE}`,
      { 2: { name: SCOPE_DIRECTIVE } },
      [
        { match: `\\G\\s+(${TOKEN})`, captures: { 1: { patterns: regexpToken } } },
        { match: `${TS}(last|break|redirect|permanent)${TE}`, name: 'keyword.other.flag.rewrite.nginx' },
        { include: '#arguments' },
      ],
      'meta.directive.rewrite.nginx',
    ),

    'server-name': directive(
      `${TS}(["']?)(server_name)\\1${TE}`,
      { 2: { name: SCOPE_DIRECTIVE } },
      [
        // A name starting with `~` is a regex (also inside quotes).
        {
          match: `${TS}(~)((?:[^\\s;{\\\\]|\\\\.|(?<=\\$)\\{)+)`,
          name: 'string.regexp.unquoted.nginx',
          captures: {
            1: { name: 'keyword.operator.regexp.modifier.nginx' },
            2: { patterns: [{ include: '#regexp-content' }] },
          },
        },
        {
          name: 'string.regexp.quoted.nginx',
          begin: `${TS}(["'])(~)`,
          beginCaptures: {
            1: { name: 'punctuation.definition.string.begin.nginx' },
            2: { name: 'keyword.operator.regexp.modifier.nginx' },
          },
          end: r`\1`,
          endCaptures: { 0: { name: 'punctuation.definition.string.end.nginx' } },
          patterns: [{ include: '#regexp-content' }],
        },
        { include: '#arguments' },
      ],
      'meta.directive.server-name.nginx',
    ),

    location: directive(
      `${TS}(["']?)(location)\\1${TE}`,
      { 2: { name: blockScope('location') } },
      [
        // `~`/`~*` then a regex; nginx also accepts them glued to it (`~*\.php$`).
        {
          match: `\\G\\s+(~\\*?)\\s*(${TOKEN})?`,
          captures: {
            1: { name: 'keyword.operator.location-modifier.nginx' },
            2: { patterns: regexpToken },
          },
        },
        {
          match: `\\G\\s+(=|\\^~(?=\\s))\\s*(${TOKEN})?`,
          captures: {
            1: { name: 'keyword.operator.location-modifier.nginx' },
            2: { patterns: [{ include: '#location-uri' }] },
          },
        },
        { match: r`\G\s+(@[^\s;{]+)`, captures: { 1: { name: 'entity.name.function.named-location.nginx' } } },
        { match: `\\G\\s+(${TOKEN})`, captures: { 1: { patterns: [{ include: '#location-uri' }] } } },
        { include: '#arguments' },
      ],
      'meta.directive.location.nginx',
    ),

    'location-uri': {
      patterns: [
        quoted('double', '', { name: 'string.quoted.double.uri.nginx' }),
        quoted('single', '', { name: 'string.quoted.single.uri.nginx' }),
        { match: r`.+`, name: 'string.unquoted.uri.nginx', captures: { 0: { patterns: [{ include: '#escape' }] } } },
      ],
    },

    if: directive(
      `${TS}(["']?)(if)\\1(?=[\\s(]|$)`,
      { 2: { name: blockScope('if') } },
      [
        { include: '#comment' },
        {
          // The regex is the last operand; a `)` right after it closes the condition.
          match: `${TS_COND}(!?~\\*?)\\s+(${QD}|${QS}|${BARE_LAZY})(\\)?)(?=\\s*(?:[;{#]|$))`,
          captures: {
            1: { name: 'keyword.operator.regexp.nginx' },
            2: { patterns: regexpToken },
            3: { name: 'punctuation.section.condition.end.nginx' },
          },
        },
        { match: `${TS_COND}(!?~\\*?)(?=\\s|$)`, name: 'keyword.operator.regexp.nginx' },
        { match: `${TS_COND}(!?=)(?=\\s|$)`, name: 'keyword.operator.comparison.nginx' },
        { match: `${TS_COND}(!?-[fdex])(?=[\\s)]|$)`, name: 'keyword.operator.file-test.nginx' },
        { match: `${TS}\\(`, name: 'punctuation.section.condition.begin.nginx' },
        { match: r`\)(?=\s*(?:[;{#]|$))`, name: 'punctuation.section.condition.end.nginx' },
        quoted('double', TS_COND),
        quoted('single', TS_COND),
        { include: '#variables' },
        { include: '#escape' },
        { match: r`(?:[^\s;{$\\()]|\$(?![A-Za-z0-9_{]))+` },
      ],
      'meta.directive.if.nginx',
    ),

    map: keyValueBlock('map', 'map', mapKeys),
    geo: keyValueBlock('geo', 'geo', geoKeys),
    types: keyValueBlock('types', 'types', typesKeys),
    'split-clients': keyValueBlock('split_clients', 'split-clients', splitClientsKeys),
    'charset-map': keyValueBlock('charset_map', 'charset-map', charsetMapKeys),

    // *_by_lua_block { ... }: the body is Lua, so nginx's tokenizer does not apply inside it.
    // Lua strings, comments and nested table braces are followed here so that a `}` inside them
    // does not close the block; the rest is coloured by a Lua grammar when one is installed
    // (an include of a missing grammar is simply skipped).
    'lua-block': {
      name: 'meta.directive.block.lua.nginx',
      begin: `${TS}(["']?)([A-Za-z_][A-Za-z0-9_]*_by_lua_block)\\1(?=[\\s{]|$)`,
      beginCaptures: { 2: { name: blockScope('lua') } },
      end: r`(?<=\})|(;)`,
      endCaptures: DIRECTIVE_END_CAPTURES,
      patterns: [
        { include: '#comment' },
        {
          begin: r`\{`,
          beginCaptures: { 0: { name: 'punctuation.section.block.begin.nginx' } },
          end: r`\}`,
          endCaptures: { 0: { name: 'punctuation.section.block.end.nginx' } },
          contentName: 'meta.embedded.block.lua source.lua',
          patterns: [{ include: '#lua-content' }],
        },
        { include: '#arguments' },
      ],
    },

    'lua-content': {
      patterns: [
        {
          name: 'comment.block.lua',
          begin: r`--\[(=*)\[`,
          end: r`\]\1\]`,
          beginCaptures: { 0: { name: 'punctuation.definition.comment.begin.lua' } },
          endCaptures: { 0: { name: 'punctuation.definition.comment.end.lua' } },
        },
        { match: r`--.*$`, name: 'comment.line.double-dash.lua' },
        {
          name: 'string.quoted.other.multiline.lua',
          begin: r`\[(=*)\[`,
          end: r`\]\1\]`,
          beginCaptures: { 0: { name: 'punctuation.definition.string.begin.lua' } },
          endCaptures: { 0: { name: 'punctuation.definition.string.end.lua' } },
        },
        // Lua strings do not span lines (short of a trailing backslash); stopping at the line end
        // keeps a stray quote from swallowing the block's closing brace.
        {
          match: r`"(?:[^"\\]|\\.)*(?:"|$)`,
          name: 'string.quoted.double.lua',
          captures: { 0: { patterns: [{ match: r`\\.`, name: 'constant.character.escape.lua' }] } },
        },
        {
          match: r`'(?:[^'\\]|\\.)*(?:'|$)`,
          name: 'string.quoted.single.lua',
          captures: { 0: { patterns: [{ match: r`\\.`, name: 'constant.character.escape.lua' }] } },
        },
        {
          begin: r`\{`,
          end: r`\}`,
          beginCaptures: { 0: { name: 'punctuation.section.table.begin.lua' } },
          endCaptures: { 0: { name: 'punctuation.section.table.end.lua' } },
          patterns: [{ include: '#lua-content' }],
        },
        // Code between those: handed to a Lua grammar through a capture, so that none of its
        // rules (a comment rule starting at a line's indentation, a function rule open until the
        // next bracket) can run past the chunk and swallow the block's closing brace.
        {
          match: r`(?:[^"'{}\[\-]|-(?!-)|\[(?!=*\[))+`,
          captures: { 0: { patterns: [{ include: 'source.lua' }] } },
        },
        // Never matches. vscode-textmate loads an embedded grammar only when an include of it is
        // reachable through `patterns` (it does not look inside `captures`); this makes it so.
        { begin: '(?!)', end: '(?!)', patterns: [{ include: 'source.lua' }] },
      ],
    },

    arguments: {
      patterns: [
        { include: '#comment' },
        quoted('double', TS),
        quoted('single', TS),
        { include: '#variables' },
        { match: `${TS}@[A-Za-z0-9_.-]+${TE}`, name: 'entity.name.function.named-location.nginx' },
        {
          match: `${TS}([A-Za-z_][A-Za-z0-9_-]*)(=)`,
          captures: {
            1: { name: 'variable.parameter.nginx' },
            2: { name: 'keyword.operator.assignment.nginx' },
          },
        },
        { match: `${TS}(?i:on|off)${TE}`, name: 'constant.language.boolean.nginx' },
        { match: `(?:${TS}|(?<==))-?\\d+(?:\\.\\d+)?(?:ms|[smhdwMyKkGg])?(?:\\d+(?:ms|[smhdwMy]))*${TE}`, name: 'constant.numeric.nginx' },
        { include: '#escape' },
        // The rest of a bare word (kept whole so that no other pattern starts inside it).
        { match: r`(?:[^\s;{$\\]|\$\{(?![A-Za-z0-9_]+\})|\$(?![A-Za-z0-9_{]))+` },
      ],
    },

    variables: {
      patterns: [
        // envsubst-style template placeholders (Docker images), e.g. ${NGINX_PORT}
        { match: r`\$\{(?=[A-Z0-9_]*[A-Z])[A-Z0-9_]+\}`, name: 'variable.other.placeholder.nginx' },
        { match: r`\$\{[A-Za-z0-9_]+\}`, name: 'variable.other.nginx' },
        { match: r`\$[0-9]`, name: 'variable.other.capture.nginx' },
        { match: r`\$[A-Za-z_][A-Za-z0-9_]*`, name: 'variable.other.nginx' },
      ],
    },

    escape: { match: r`\\.?`, name: 'constant.character.escape.nginx' },

    'regexp-content': {
      patterns: [
        { match: r`\\.`, name: 'constant.character.escape.regexp.nginx' },
        { match: r`\{\d+(?:,\d*)?\}|[*+?][?+]?`, name: 'keyword.operator.quantifier.regexp.nginx' },
        { match: r`[\^$]`, name: 'keyword.control.anchor.regexp.nginx' },
        { match: r`\|`, name: 'keyword.operator.or.regexp.nginx' },
        {
          match: r`\(\?(?:[:=!>|]|<[=!]|P?<[A-Za-z_][A-Za-z0-9_]*>|'[A-Za-z_][A-Za-z0-9_]*'|[imsxJU-]+:?)|[()]`,
          name: 'punctuation.definition.group.regexp.nginx',
        },
        { match: r`\[\^?\]?(?:\\.|[^\]\\])*\]`, name: 'constant.other.character-class.set.regexp.nginx' },
      ],
    },
  };

  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'nginx',
    scopeName: 'source.nginx',
    fileTypes: ['conf', 'nginx', 'nginxconf'],
    patterns: [
      { include: '#statements' },
      // A `}` with no block to close is an error to nginx ("unexpected }").
      { match: r`\}`, name: 'invalid.illegal.unexpected-brace.nginx' },
    ],
    repository,
  };
}

// ---------------------------------------------------------------------------------------------
// nginx access log
// ---------------------------------------------------------------------------------------------
//
// Every rule ends on its own line (match rules, or begin/end rules ending at `$`), so a line the
// grammar does not understand can never disturb the next one.

const L = 'nginx-access-log';
const IPV4 = r`(?:\d{1,3}\.){3}\d{1,3}`;
// IPv6 with at least one `::` or all eight groups, so that clock times (12:00:01) never match.
const IPV6 = r`(?=[0-9A-Fa-f:.]*::|(?:[0-9A-Fa-f]{1,4}:){7})(?:[0-9A-Fa-f]{0,4}:){1,7}(?:${IPV4}|[0-9A-Fa-f]{1,4})?`;
const TIME_LOCAL = r`\d{1,2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2}(?:\s[+-]\d{4})?`;
const LQ = r`"(?:[^"\\]|\\.)*"`;
const METHOD = r`[A-Z][A-Z0-9_-]*`;

function accessLogGrammar() {
  // Each status class keeps a semantic scope (constant.numeric.status.<class>) and, after it, a
  // scope that stock themes colour differently (themes colour a token by its innermost scope and
  // fall back outwards), so the classes — and 444 above all — look different without any theme
  // knowing about nginx. Dark+/Dark Modern: 2xx green, 3xx blue, 4xx yellow, 5xx red, 444 purple.
  const status = (match, cls, colour) => ({
    match,
    name: `constant.numeric.status.${cls}.${L}${colour ? ` ${colour}.status.${cls}.${L}` : ''}`,
  });
  const statusCodes = {
    patterns: [
      status(r`\b444\b`, 'drop', 'keyword.control'),
      status(r`\b1\d\d\b`, 'informational', null),
      status(r`\b2\d\d\b`, 'success', null),
      status(r`\b3\d\d\b`, 'redirect', 'constant.language'),
      status(r`\b4\d\d\b`, 'client-error', 'entity.name.function'),
      status(r`\b5\d\d\b`, 'server-error', 'invalid.illegal'),
      status(r`\b\d{3}\b`, 'other', null),
    ],
  };

  // "$request": method, URI and protocol; anything else (a TLS handshake sent to a plain port,
  // an empty "-") stays a plain string.
  const requestLine = {
    patterns: [
      {
        match: `(")(${METHOD})( )((?:[^"\\\\]|\\\\.)*?)(?:( )(HTTP/[0-9.]+|HTTP/[^"\\s]*))?(")`,
        name: `string.quoted.double.request.${L}`,
        captures: {
          1: { name: `punctuation.definition.string.begin.${L}` },
          2: { name: `keyword.other.method.${L}` },
          4: { name: `string.unquoted.uri.${L}`, patterns: [{ include: '#escape' }] },
          6: { name: `constant.other.protocol.${L}` },
          7: { name: `punctuation.definition.string.end.${L}` },
        },
      },
      { include: '#quoted' },
    ],
  };

  const repository = {
    'status-code': statusCodes,
    'request-line': requestLine,
    escape: {
      patterns: [
        { match: r`\\x[0-9A-Fa-f]{2}`, name: `constant.character.escape.hex.${L}` },
        { match: r`\\u[0-9A-Fa-f]{4}|\\.`, name: `constant.character.escape.${L}` },
      ],
    },
    quoted: {
      patterns: [
        { match: r`"-"`, name: `string.quoted.double.empty.${L}` },
        {
          match: LQ,
          name: `string.quoted.double.${L}`,
          captures: { 0: { patterns: [{ include: '#escape' }] } },
        },
        // An unterminated quote (a truncated line) stops at the end of its line.
        { match: r`"(?:[^"\\]|\\.)*$`, name: `string.quoted.double.unterminated.${L}`, captures: { 0: { patterns: [{ include: '#escape' }] } } },
      ],
    },
    address: {
      patterns: [
        { match: `(?<![\\w.:])${IPV4}(?::\\d+)?(?![\\w.:])`, name: `variable.other.remote-addr.ipv4.${L}` },
        { match: `(?<![\\w.:])${IPV6}(?![\\w:])`, name: `variable.other.remote-addr.ipv6.${L}` },
      ],
    },
    'time-local': {
      match: `(\\[)(${TIME_LOCAL})(\\])`,
      captures: {
        1: { name: `punctuation.definition.time.begin.${L}` },
        2: { name: `constant.other.time-local.${L}` },
        3: { name: `punctuation.definition.time.end.${L}` },
      },
    },
    user: {
      patterns: [
        { match: r`(?<!\S)-(?!\S)`, name: `constant.language.empty.${L}` },
        { match: r`.+`, name: `variable.other.remote-user.${L}` },
      ],
    },
    // Tokens after the known fields: more quoted fields, addresses, numbers, `-`.
    rest: {
      patterns: [
        { include: '#time-local' },
        { include: '#request-line' },
        { include: '#address' },
        { match: r`(?<![^\s\[])-(?![^\s\]])`, name: `constant.language.empty.${L}` },
        { match: r`(?<![\w.:])\d+(?:\.\d+)?(?![\w.:])`, name: `constant.numeric.${L}` },
      ],
    },

    // $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ...
    // (combined, common, main; also with a leading $host, and with fields missing).
    combined: {
      name: `meta.line.combined.${L}`,
      begin: `(?:^|\\G)(?:(\\S+)\\s+(?=\\S+\\s+\\S+\\s+\\S+\\s+\\[))?(\\S+)\\s+(?:(\\S+)\\s+)??(?:(\\S+)\\s+)?(?=\\[${TIME_LOCAL}\\])`,
      beginCaptures: {
        1: { name: `entity.name.host.${L}` },
        2: { patterns: [{ include: '#address' }, { match: r`.+`, name: `variable.other.remote-addr.${L}` }] },
        3: { patterns: [{ include: '#user' }] },
        4: { patterns: [{ include: '#user' }] },
      },
      end: '$',
      patterns: [
        {
          match: `\\G(\\[)(${TIME_LOCAL})(\\])(?:\\s+(${LQ})(?:\\s+(\\d{3})(?=\\s|$)(?:\\s+(\\d+|-)(?=\\s|$)(?:\\s+(${LQ})(?:\\s+(${LQ}))?)?)?)?)?`,
          captures: {
            1: { name: `punctuation.definition.time.begin.${L}` },
            2: { name: `constant.other.time-local.${L}` },
            3: { name: `punctuation.definition.time.end.${L}` },
            4: { patterns: [{ include: '#request-line' }] },
            5: { patterns: [{ include: '#status-code' }] },
            6: { name: `constant.numeric.bytes.${L}` },
            7: { name: `meta.referer.${L}`, patterns: [{ include: '#quoted' }] },
            8: { name: `meta.user-agent.${L}`, patterns: [{ include: '#quoted' }] },
          },
        },
        { include: '#rest' },
      ],
    },

    // Nginx Proxy Manager's `proxy` and `standard` formats:
    // [$time_local] [$upstream_cache_status $upstream_status] $status - $request_method $scheme $host "$request_uri" [Client ...] ...
    'proxy-manager': {
      name: `meta.line.proxy-manager.${L}`,
      begin: `^(\\[)(${TIME_LOCAL})(\\])(?:\\s+(\\S+)\\s+(\\S+))?\\s+(\\d{3})\\s+(-)\\s+(${METHOD})\\s+(\\S+)\\s+(\\S+)\\s+(")((?:[^"\\\\]|\\\\.)*)(")`,
      beginCaptures: {
        1: { name: `punctuation.definition.time.begin.${L}` },
        2: { name: `constant.other.time-local.${L}` },
        3: { name: `punctuation.definition.time.end.${L}` },
        4: { name: `constant.other.cache-status.${L}` },
        5: { patterns: [{ include: '#status-code' }, { include: '#rest' }] },
        6: { patterns: [{ include: '#status-code' }] },
        7: { name: `constant.language.empty.${L}` },
        8: { name: `keyword.other.method.${L}` },
        9: { name: `constant.other.scheme.${L}` },
        10: { name: `entity.name.host.${L}` },
        11: { name: `punctuation.definition.string.begin.${L}` },
        12: { name: `string.unquoted.uri.${L}`, patterns: [{ include: '#escape' }] },
        13: { name: `punctuation.definition.string.end.${L}` },
      },
      end: '$',
      patterns: [
        {
          match: r`(\[)(Client|Length|Gzip|Sent-to)(\s+)([^\]]*)(\])`,
          captures: {
            1: { name: `punctuation.definition.field.begin.${L}` },
            2: { name: `entity.name.tag.field.${L}` },
            4: { patterns: [{ include: '#rest' }] },
            5: { name: `punctuation.definition.field.end.${L}` },
          },
        },
        { include: '#quoted' },
        { include: '#rest' },
      ],
    },

    // log_format ... escape=json '{"status":"$status", ...}': one JSON object per line.
    json: {
      name: `meta.line.json.${L}`,
      begin: r`^\s*(?=\{)`,
      end: '$',
      patterns: [
        {
          match: r`("status")\s*(:)\s*("?)(\d{3})("?)`,
          captures: {
            1: { name: `support.type.property-name.json.${L}` },
            2: { name: `punctuation.separator.key-value.${L}` },
            4: { patterns: [{ include: '#status-code' }] },
          },
        },
        {
          match: `("request")\\s*(:)\\s*(${LQ})`,
          captures: {
            1: { name: `support.type.property-name.json.${L}` },
            2: { name: `punctuation.separator.key-value.${L}` },
            3: { patterns: [{ include: '#request-line' }] },
          },
        },
        {
          match: `(${LQ})\\s*(:)`,
          captures: {
            1: { name: `support.type.property-name.json.${L}` },
            2: { name: `punctuation.separator.key-value.${L}` },
          },
        },
        { include: '#quoted' },
        { match: r`-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b`, name: `constant.numeric.${L}` },
        { match: r`\b(?:true|false|null)\b`, name: `constant.language.json.${L}` },
        { match: r`[{}\[\],]`, name: `punctuation.separator.json.${L}` },
      ],
    },

    // Error-log lines often end up in the same file or paste: 2024/01/31 12:00:00 [error] 12#12: *3 message
    'error-log': {
      name: `meta.line.error-log.${L}`,
      begin: r`^(\d{4}/\d{2}/\d{2}\s\d{2}:\d{2}:\d{2})\s(\[)(emerg|alert|crit|error|warn|notice|info|debug)(\])\s(\d+#\d+:)(?:\s(\*\d+))?`,
      beginCaptures: {
        1: { name: `constant.other.time.${L}` },
        2: { name: `punctuation.definition.level.begin.${L}` },
        3: { name: `keyword.other.level.$3.${L}` },
        4: { name: `punctuation.definition.level.end.${L}` },
        5: { name: `constant.numeric.pid.${L}` },
        6: { name: `constant.numeric.connection.${L}` },
      },
      end: '$',
      patterns: [{ include: '#request-line' }, { include: '#rest' }],
    },

    // `Mon DD HH:MM:SS host tag[pid]: ` from syslog, then the access-log line itself.
    syslog: {
      name: `meta.line.syslog.${L}`,
      begin: r`^([A-Z][a-z]{2}\s+\d{1,2}\s\d{2}:\d{2}:\d{2})\s(\S+)\s([^\s:\[]+)(?:\[(\d+)\])?:\s`,
      beginCaptures: {
        1: { name: `constant.other.time.${L}` },
        2: { name: `entity.name.host.${L}` },
        3: { name: `entity.name.tag.${L}` },
        4: { name: `constant.numeric.pid.${L}` },
      },
      end: '$',
      patterns: [{ include: '#combined' }, { include: '#rest' }],
    },

    // Any other line: still pick out addresses, times, requests, statuses after a request.
    generic: {
      patterns: [
        { include: '#time-local' },
        {
          match: `(${LQ})\\s+(\\d{3})(?=\\s|$)`,
          captures: {
            1: { patterns: [{ include: '#request-line' }] },
            2: { patterns: [{ include: '#status-code' }] },
          },
        },
        { include: '#rest' },
      ],
    },
  };

  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'nginx access log',
    scopeName: 'text.log.nginx-access',
    patterns: [
      // fail2ban-style annotations and commented-out lines
      { match: r`^\s*#.*$`, name: `comment.line.number-sign.${L}` },
      { include: '#json' },
      { include: '#error-log' },
      { include: '#syslog' },
      { include: '#proxy-manager' },
      { include: '#combined' },
      { include: '#generic' },
    ],
    repository,
  };
}

export const grammars = {
  'nginx.tmLanguage.json': nginxGrammar,
  'nginx-access-log.tmLanguage.json': accessLogGrammar,
};

/** The exact text written for a grammar file (2-space JSON, trailing newline). */
export function renderGrammar(file) {
  return JSON.stringify(grammars[file](), null, 2) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'syntaxes');
  for (const file of Object.keys(grammars)) {
    writeFileSync(join(out, file), renderGrammar(file));
    console.log(`wrote syntaxes/${file}`);
  }
}
