// Which main config an open file belongs to: the setting, else the nearest nginx.conf upward, else
// one found in the workspace; none in an untrusted workspace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workspace } from '../../server/src/lsp/workspace';

test('main config discovery', () => {
  const root = mkdtempSync(join(tmpdir(), 'nginx-lens-ws-'));
  try {
    mkdirSync(join(root, 'etc/nginx/sites-enabled'), { recursive: true });
    mkdirSync(join(root, 'other/conf'), { recursive: true });
    mkdirSync(join(root, 'logs'), { recursive: true });
    writeFileSync(join(root, 'etc/nginx/nginx.conf'), 'http { include sites-enabled/*; }\n');
    writeFileSync(join(root, 'other/nginx.conf'), 'events {}\n');
    const ws = new Workspace();
    ws.roots = [root];
    assert.equal(ws.mainConfigFor(join(root, 'etc/nginx/sites-enabled/shop')), join(root, 'etc/nginx/nginx.conf'));
    assert.equal(ws.mainConfigFor(join(root, 'other/conf/x.conf')), join(root, 'other/nginx.conf'));
    // Nothing upward: the workspace's shallowest nginx.conf (breadth-first, then alphabetical).
    assert.equal(ws.mainConfigFor(join(root, 'logs/access.log')), join(root, 'other/nginx.conf'));
    ws.setSettings({ mainConfig: 'other/nginx.conf' });
    assert.equal(ws.mainConfigFor(join(root, 'etc/nginx/sites-enabled/shop')), join(root, 'other/nginx.conf'));
    ws.trusted = false;
    assert.equal(ws.mainConfigFor(join(root, 'etc/nginx/sites-enabled/shop')), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
