// `npm start` (scripts/start.mjs) builds and serves the course site and the Storybook build, and
// prints both URLs; both answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { root } from '../scripts/lib.mjs';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function get(url, deadline) {
  for (;;) {
    try {
      const res = await fetch(url);
      return { status: res.status, body: await res.text() };
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

test('npm start serves the course site and Storybook and prints both URLs', { timeout: 300000 }, async () => {
  const [site, docs] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env: { ...process.env, SITE_PORT: String(site), DOCS_PORT: String(docs), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    const printed = await new Promise((resolve, reject) => {
      const t = setInterval(() => {
        if (/Storybook:\s+http/.test(out)) {
          clearInterval(t);
          resolve(out);
        }
      }, 200);
      child.on('exit', (code) => {
        clearInterval(t);
        reject(new Error(`npm start exited with ${code}:\n${out.slice(-2000)}`));
      });
    });
    assert.match(printed, new RegExp(`course site: http://127\\.0\\.0\\.1:${site}/`));
    assert.match(printed, new RegExp(`Storybook:\\s+http://127\\.0\\.0\\.1:${docs}/`));
    const deadline = Date.now() + 30000;
    const lecture = await get(`http://127.0.0.1:${site}/lecture.html`, deadline);
    assert.equal(lecture.status, 200);
    assert.match(lecture.body, /<fgsm-demo/);
    const sb = await get(`http://127.0.0.1:${docs}/`, deadline);
    assert.equal(sb.status, 200);
    assert.match(sb.body, /storybook/i);
    const embed = await fetch(`http://127.0.0.1:${site}/embed/fgsm-demo.html`);
    assert.match(embed.headers.get('content-security-policy') ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});
