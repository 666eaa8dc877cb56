// `npm start` (scripts/start.mjs) builds and serves the course site and the Storybook build, and
// prints a few lines of progress and both URLs last, once both servers answer; a missing file is a 404.
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
    await new Promise((resolve, reject) => {
      const t = setInterval(() => {
        if (/Ctrl\+C/.test(out)) {
          clearInterval(t);
          resolve(out);
        }
      }, 200);
      child.on('exit', (code) => {
        clearInterval(t);
        reject(new Error(`npm start exited with ${code}:\n${out.slice(-2000)}`));
      });
    });
    // The URLs come last, and only once both servers answer: one fetch each, no retry.
    const [lecture, sb] = await Promise.all([get(`http://127.0.0.1:${site}/lecture.html`, 0), get(`http://127.0.0.1:${docs}/`, 0)]);
    await new Promise((r) => setTimeout(r, 300));
    const lines = out.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim()).filter(Boolean);
    assert.ok(lines.length <= 10, `a few lines of progress, not ${lines.length}:\n${lines.join('\n')}`);
    assert.doesNotMatch(out, /chunk|warn|\(!\)|error/i, 'no build listing or warning that reads like a failure');
    assert.match(lines.at(-3), new RegExp(`course site: http://127\\.0\\.0\\.1:${site}/$`));
    assert.match(lines.at(-2), new RegExp(`Storybook:\\s+http://127\\.0\\.0\\.1:${docs}/$`));
    assert.match(lines.at(-1), /Ctrl\+C/);
    assert.equal(lecture.status, 200);
    assert.match(lecture.body, /<fgsm-demo/);
    assert.equal(sb.status, 200);
    assert.match(sb.body, /storybook/i);
    const embed = await fetch(`http://127.0.0.1:${site}/embed/fgsm-demo.html`);
    assert.match(embed.headers.get('content-security-policy') ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
    // The course site is served cross-origin isolated, so that WASM can run on threads.
    for (const res of [embed, await fetch(`http://127.0.0.1:${site}/lecture.html`)]) {
      assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
      assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    }
    // A missing file is a 404 on both servers, never the home page.
    for (const url of [`http://127.0.0.1:${site}/models/nope/model.json`, `http://127.0.0.1:${site}/embed/nope.html`, `http://127.0.0.1:${docs}/nope.json`]) {
      const res = await fetch(url);
      assert.equal(res.status, 404, url);
      assert.doesNotMatch(await res.text(), /<fgsm-demo|storybook/i, `${url} is not a home page`);
    }
    assert.match(await (await fetch(`http://127.0.0.1:${site}/embed/nope.html`)).text(), /no widget called/i);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
});
