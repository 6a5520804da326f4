// Property test: any include graph (cycles, self-includes, globs, missing and unreadable files,
// includes nested in blocks, files included many times) loads without throwing, terminates,
// reports every cycle it meets, and keeps every diagnostic inside the file it names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { loadConfigGraph, walkEffective } from '../../server/src/core/configGraph';
import { checkConfig } from '../../server/src/core/check';

const NAMES = ['a.conf', 'b.conf', 'c.conf', 'd/e.conf', 'd/f.conf', 'g'];
const includeArg = fc.oneof(fc.constantFrom(...NAMES), fc.constantFrom('d/*.conf', '*.conf', '?.conf', 'nope.conf', 'd/[ef].conf', 'none/*'));
const wrapper = fc.constantFrom('', 'http { ', 'server { ', 'location / { ', 'map $a $b { ', 'if ($x) { ');

const fileText = fc.array(fc.tuple(wrapper, includeArg, fc.boolean()), { maxLength: 5 }).map((items) =>
  items.map(([w, arg, extra]) => `${w}include ${arg};${extra ? ' return 444;' : ''}${w ? ' }' : ''}\n`).join(''),
);

test('random include graphs: no throw, termination, cycles reported, ranges inside their files', { timeout: 180000 }, () => {
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...NAMES), fileText), fc.subarray(NAMES), fileText, (files, unreadable, mainText) => {
      const fs = new MemoryFileSystem({ '/n/nginx.conf': mainText });
      for (const [name, text] of Object.entries(files)) fs.write(`/n/${name}`, text);
      for (const name of unreadable) if (!(name in files)) fs.writeUnreadable(`/n/${name}`);
      const g = loadConfigGraph('/n/nginx.conf', fs, { maxExpansions: 5000 });
      let visits = 0;
      walkEffective(g, () => void visits++, { maxVisits: 100000 });
      assert.ok(visits <= 100000);
      const diags = checkConfig(g);
      // an analysis that crashed is reported as analysis-failed instead of throwing: still a bug
      const crashed = diags.find((d) => d.code === 'analysis-failed');
      assert.equal(crashed, undefined, crashed?.message);
      for (const d of diags) {
        const f = g.files.get(d.file);
        assert.ok(f, `diagnostic in a file the graph did not read: ${d.file}`);
        assert.ok(d.range.start.offset >= 0 && d.range.end.offset <= f.text.length && d.range.start.offset <= d.range.end.offset);
      }
      // every file reached is recorded with at least one context
      for (const p of g.files.keys()) assert.ok((g.contexts.get(p) ?? []).length >= 1, p);
      // a file that includes itself plainly is always reported
      for (const [name, text] of Object.entries(files)) {
        if (g.files.has(`/n/${name}`) && new RegExp(`^(?:[^\\n]*\\{ )?include ${name.replace('.', '\\.')};`, 'm').test(text)) {
          assert.ok(g.diagnostics.some((d) => d.code === 'include-cycle' && d.file === `/n/${name}`), `self-include of ${name} not reported`);
        }
      }
    }),
    // endOnFailure: a failing case is reported at once (unshrunk) instead of minutes of shrinking through stack overflows.
    { numRuns: 200, seed: 20261127, endOnFailure: true },
  );
});

test('an include cycle that passes through an if block is reported, and every analysis terminates', { timeout: 60000 }, () => {
  // Found by the property above: nginx.conf includes d/e.conf inside `if`, d/e.conf includes
  // nginx.conf back. Any analysis expanding includes must track the files it is inside across
  // blocks, or it recurses forever.
  const fs = new MemoryFileSystem({
    '/n/nginx.conf': 'if ($x) { include d/*.conf; }\nhttp { include g; }\n',
    '/n/d/e.conf': 'include *.conf;\n',
    '/n/d/f.conf': 'include d/*.conf;\n',
    '/n/g': 'server { include d/f.conf; }\n',
  });
  const g = loadConfigGraph('/n/nginx.conf', fs);
  assert.deepEqual(
    g.diagnostics.map((d) => [d.code, d.file]),
    [
      ['include-cycle', '/n/d/e.conf'],
      ['include-cycle', '/n/d/f.conf'],
    ],
  );
  const diags = checkConfig(g);
  assert.ok(diags.some((d) => d.code === 'include-cycle'));
});

test('two servers without server_name on one port: no analysis crashes (nginx: conflicting server name "")', () => {
  // Found by the property above; the commonest shape there is (two vhosts, no names).
  const g = loadConfigGraph('/n/nginx.conf', new MemoryFileSystem({ '/n/nginx.conf': 'events {}\nhttp { server { listen 80; } server { listen 80; } }\n' }));
  const crashed = checkConfig(g).find((d) => d.code === 'analysis-failed');
  assert.equal(crashed, undefined, crashed?.message);
});
