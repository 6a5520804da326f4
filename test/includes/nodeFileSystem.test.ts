// The Node FileSystem on hostile disks: every failure is an error result, never an exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem } from '../../server/src/node/fileSystem';
import { loadConfigGraph } from '../../server/src/core/configGraph';

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-fs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('dangling symlinks: missing for a plain include, unreadable when a glob lists them', (t) => {
  const dir = tmp(t);
  mkdirSync(join(dir, 'sites-enabled'));
  symlinkSync(join(dir, 'sites-available/gone'), join(dir, 'sites-enabled/gone'));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'link.conf'));
  writeFileSync(join(dir, 'sites-enabled/ok'), 'server { }\n');
  writeFileSync(join(dir, 'nginx.conf'), 'events {}\nhttp {\n include sites-enabled/*;\n include link.conf;\n}\n');
  const g = loadConfigGraph(join(dir, 'nginx.conf'), new NodeFileSystem());
  const got = g.diagnostics.map((d) => [d.code, d.severity, d.range.start.line, d.message]);
  assert.deepEqual(got, [
    ['include-unreadable', 'error', 2, `open() "${dir}/sites-enabled/gone" failed (2: No such file or directory) (a dangling symbolic link?)`],
    ['include-not-found', 'error', 3, `open() "${dir}/link.conf" failed (2: No such file or directory)`],
  ]);
  assert.ok(g.files.has(join(dir, 'sites-enabled/ok')));
});

test('directories, FIFOs and oversized files are refused with an error result', (t) => {
  const dir = tmp(t);
  mkdirSync(join(dir, 'adir'));
  const fs = new NodeFileSystem({ maxFileBytes: 1000 });
  assert.deepEqual(fs.readFile(join(dir, 'adir')), { error: `pread() "${dir}/adir" failed (21: Is a directory)` });
  writeFileSync(join(dir, 'big.conf'), 'x'.repeat(1001));
  assert.match((fs.readFile(join(dir, 'big.conf')) as { error: string }).error, /1001 bytes, over the 1000-byte limit/);
  const fifo = join(dir, 'pipe.conf');
  if (spawnSync('mkfifo', [fifo]).status === 0) {
    const t0 = Date.now();
    assert.match((fs.readFile(fifo) as { error: string }).error, /not a regular file/);
    assert.ok(Date.now() - t0 < 1000);
  }
  assert.match((fs.readDir(join(dir, 'big.conf')) as { error: string }).error, /opendir\(\) ".*" failed \(20: Not a directory\)/);
  assert.equal(fs.stat(join(dir, 'missing')), undefined);
  assert.equal(fs.stat(join(dir, 'adir'))?.kind, 'dir');
});

test('invalid UTF-8 decodes with replacement characters; a BOM is kept like nginx keeps it', (t) => {
  const dir = tmp(t);
  writeFileSync(join(dir, 'bad.conf'), Buffer.from([0x75, 0x73, 0x65, 0x72, 0x20, 0xff, 0xfe, 0x3b, 0x0a]));
  writeFileSync(join(dir, 'bom.conf'), Buffer.from([0xef, 0xbb, 0xbf, 0x78, 0x3b]));
  const fs = new NodeFileSystem();
  assert.deepEqual(fs.readFile(join(dir, 'bad.conf')), { text: 'user \ufffd\ufffd;\n' });
  assert.deepEqual(fs.readFile(join(dir, 'bom.conf')), { text: '\ufeffx;' });
});

test('unchanged files come back as the same string (cheap re-analysis); an edit is seen', (t) => {
  const dir = tmp(t);
  const p = join(dir, 'a.conf');
  writeFileSync(p, 'worker_processes 1;\n');
  const fs = new NodeFileSystem();
  const a = fs.readFile(p) as { text: string };
  const b = fs.readFile(p) as { text: string };
  assert.equal(a.text, 'worker_processes 1;\n');
  assert.equal(a.text, b.text);
  writeFileSync(p, 'worker_processes 22;\n');
  assert.deepEqual(fs.readFile(p), { text: 'worker_processes 22;\n' });
  rmSync(p);
  assert.match((fs.readFile(p) as { error: string }).error, /\(2: No such file or directory\)/);
});

test('revalidateAfterMs: a kept text is trusted for that long, then checked again; forget() drops it at once', (t) => {
  const dir = tmp(t);
  const p = join(dir, 'a.conf');
  writeFileSync(p, 'worker_processes 1;\n');
  let clock = 0;
  const fs = new NodeFileSystem({ revalidateAfterMs: 1000, now: () => clock });
  assert.deepEqual(fs.readFile(p), { text: 'worker_processes 1;\n' });
  writeFileSync(p, 'worker_processes 22;\n');
  clock = 999;
  assert.deepEqual(fs.readFile(p), { text: 'worker_processes 1;\n' }, 'within the window: not stat-ed');
  clock = 1000;
  assert.deepEqual(fs.readFile(p), { text: 'worker_processes 22;\n' }, 'after the window: the change is seen');
  writeFileSync(p, 'worker_processes 333;\n');
  clock = 1001;
  assert.deepEqual(fs.readFile(p), { text: 'worker_processes 22;\n' });
  fs.forget(p);
  assert.deepEqual(fs.readFile(p), { text: 'worker_processes 333;\n' }, 'a watcher event is seen at once');
  // A check that finds the file unchanged restarts the window.
  clock = 2500;
  assert.deepEqual(fs.readFile(p), { text: 'worker_processes 333;\n' });
  writeFileSync(p, 'worker_processes 4444;\n');
  clock = 3400;
  assert.deepEqual(fs.readFile(p), { text: 'worker_processes 333;\n' });
});

test('revalidateAfterMs: a directory listing is kept for that long; forget() of an entry drops it at once', (t) => {
  const dir = tmp(t);
  writeFileSync(join(dir, 'a.conf'), '');
  let clock = 0;
  const fs = new NodeFileSystem({ revalidateAfterMs: 1000, now: () => clock });
  assert.deepEqual(fs.readDir(dir), ['a.conf']);
  const listed = fs.readDir(dir) as string[];
  listed.push('not-there.conf');
  assert.deepEqual(fs.readDir(dir), ['a.conf'], 'what a caller does to its copy is not kept');
  writeFileSync(join(dir, 'b.conf'), '');
  clock = 999;
  assert.deepEqual(fs.readDir(dir), ['a.conf'], 'within the window: not listed again');
  clock = 1000;
  assert.deepEqual((fs.readDir(dir) as string[]).sort(), ['a.conf', 'b.conf'], 'after the window: the new file is seen');
  writeFileSync(join(dir, 'c.conf'), '');
  clock = 1001;
  assert.equal((fs.readDir(dir) as string[]).length, 2);
  fs.forget(join(dir, 'c.conf'));
  assert.deepEqual((fs.readDir(dir) as string[]).sort(), ['a.conf', 'b.conf', 'c.conf'], 'a watcher event for an entry is seen at once');
  // Without the window, every call lists the directory.
  const plain = new NodeFileSystem();
  assert.equal((plain.readDir(dir) as string[]).length, 3);
  writeFileSync(join(dir, 'd.conf'), '');
  assert.equal((plain.readDir(dir) as string[]).length, 4);
  assert.ok('error' in (fs.readDir(join(dir, 'missing')) as object));
});
