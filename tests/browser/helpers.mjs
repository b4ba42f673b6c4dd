// Shared set-up of the browser tests: a real kheo server on a throwaway PostGIS loaded with the
// demo commune, and Debian's Chromium driven by playwright-core (WebGL in software through
// SwiftShader). Missing Chromium or a missing kheo binary is a failure, never a skip.
//
//   npm run test:browser            (after `cargo build`)
//   KHEO_BIN=path/to/kheo npm run test:browser
//   CHROMIUM=/path/to/chromium npm run test:browser
//   KHEO_TEST_URL=http://127.0.0.1:8080 npm run test:browser   (an already running server
//     with the demo loaded: no cluster, no demo load; for working on the page)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(ROOT, process.env.KHEO_BIN ?? 'target/debug/kheo');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'target', 'screenshots');
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--lang=vi-VN', // the native date input shows dd/mm/yyyy, as on a Vietnamese planner's browser
];
export const LISTEN_TIMEOUT_MS = 60_000;
export const DEMO_TIMEOUT_MS = 300_000;
export const READY_TIMEOUT_MS = 60_000;
export const SETUP_TIMEOUT_MS = DEMO_TIMEOUT_MS + LISTEN_TIMEOUT_MS + 60_000;

/** Runs `kheo args...` to completion; resolves with {code, output}. */
export function run(args, env, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[test] killed after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, output: `${output}\n[test] ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, output });
    });
  });
}

/**
 * A kheo server with the demo ward: `{baseUrl, stop()}`. With KHEO_TEST_URL, that server
 * instead (stop does nothing).
 */
export async function startDemoServer() {
  if (process.env.KHEO_TEST_URL) {
    return { baseUrl: process.env.KHEO_TEST_URL.replace(/\/$/, ''), stop: async () => {}, env: process.env };
  }
  assert.ok(existsSync(BIN), `kheo binary not found at ${BIN}: build it with "cargo build" (or set KHEO_BIN)`);
  const home = mkdtempSync(path.join(tmpdir(), 'kheo-browser-'));
  // mkdtemp makes the folder 0700; when run as root, kheo runs PostgreSQL as the postgres
  // user, which must be able to traverse it.
  chmodSync(home, 0o755);
  const env = { ...process.env, KHEO_HOME: home };
  delete env.DATABASE_URL; // the test uses its own managed cluster under KHEO_HOME

  const demo = await run(['demo'], env, DEMO_TIMEOUT_MS);
  assert.equal(demo.code, 0, `"kheo demo" failed (exit ${demo.code}):\n${demo.output}`);

  const { baseUrl, stop: stopServer } = await spawnServer(env);

  async function stop() {
    await stopServer();
    const down = await run(['db', 'down'], env, 60_000);
    if (down.code !== 0) console.error(`"kheo db down" failed (exit ${down.code}):\n${down.output}`);
    else rmSync(home, { recursive: true, force: true });
  }
  return { baseUrl, stop, env };
}

/**
 * Starts `kheo serve` on port 0 with `env` (a KHEO_HOME whose cluster is already loaded);
 * resolves with its URL and a `stop()` that ends it (and not the cluster).
 */
export async function spawnServer(env) {
  let server;
  let serverLog = '';
  const baseUrl = await new Promise((resolve, reject) => {
    server = spawn(BIN, ['serve', '--listen', '127.0.0.1:0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const fail = (why) => {
      clearTimeout(timer);
      reject(new Error(`kheo serve ${why}\n--- output ---\n${serverLog}`));
    };
    const timer = setTimeout(() => fail(`did not print "listening on http://..." within ${LISTEN_TIMEOUT_MS / 1000} s`), LISTEN_TIMEOUT_MS);
    server.stdout.on('data', (chunk) => {
      stdout += chunk;
      serverLog += chunk;
      const match = /listening on (http:\/\/[^\s"']+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/$/, ''));
      }
    });
    server.stderr.on('data', (chunk) => (serverLog += chunk));
    server.on('error', (error) => fail(`could not start: ${error.message}`));
    server.on('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
  });

  async function stop() {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.removeAllListeners('exit'); // the "exited early" failure above
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  }
  return { baseUrl, stop };
}

/**
 * Makes an account on `server`'s database with `kheo user add` (the password through
 * KHEO_PASSWORD), e.g. `addUser(server, 'bientap', {role: 'editor', communes: ['17131'], password})`.
 */
export async function addUser(server, username, { role = 'editor', communes = [], password, displayName = '' }) {
  const args = ['user', 'add', username, '--role', role, ...communes.flatMap((c) => ['--commune', c])];
  if (displayName) args.push('--display-name', displayName);
  const result = await run(args, { ...server.env, KHEO_PASSWORD: password }, 60_000);
  assert.equal(result.code, 0, `"kheo ${args.join(' ')}" failed (exit ${result.code}):\n${result.output}`);
}

/** Debian's Chromium through playwright-core. */
export async function launchBrowser() {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CHROMIUM=/path/to/chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Records console errors, uncaught exceptions, failed requests, HTTP errors, Content Security
 * Policy violations and pages served without a CSP of `p` in `problems`.
 */
export function watch(p, name, problems) {
  // Chromium also logs most violations to the console; the event catches every one.
  p.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "an inline resource"} in ${e.documentURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  }).catch((error) => problems.push(`[${name}] could not watch CSP violations: ${error.message}`));
  p.on('response', (response) => {
    if (response.request().resourceType() === 'document' && !response.headers()['content-security-policy']) {
      problems.push(`[${name}] no Content-Security-Policy on ${response.url()}`);
    }
  });
  p.on('console', (message) => {
    if (message.type() === 'error') problems.push(`[${name}] console error: ${message.text()}`);
  });
  p.on('pageerror', (error) => problems.push(`[${name}] page error: ${error.message}`));
  p.on('requestfailed', (request) => problems.push(`[${name}] request failed: ${request.url()} (${request.failure()?.errorText})`));
  p.on('response', (response) => {
    if (response.status() >= 400) problems.push(`[${name}] HTTP ${response.status()}: ${response.url()}`);
  });
}

export async function waitReady(p) {
  await p.waitForFunction(() => document.documentElement.dataset.ready === '1', null, { timeout: READY_TIMEOUT_MS });
}

/**
 * A point well inside a (multi)polygon: of a 30 x 30 grid over its box, the point inside
 * that is farthest from its edges. Returns {p: [lon, lat], d: that distance in degrees}.
 */
export function interiorPoint(geometry) {
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat(1);
  const outer = geometry.type === 'Polygon' ? [geometry.coordinates[0]] : geometry.coordinates.map((p) => p[0]);
  const inside = ([x, y]) => {
    let count = 0;
    for (const ring of outer) {
      let c = false;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
      }
      if (c) count += 1;
    }
    return count % 2 === 1;
  };
  const segDist = ([px, py], [ax, ay], [bx, by]) => {
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
    return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
  };
  const all = rings.flat(1);
  const xs = all.map((c) => c[0]);
  const ys = all.map((c) => c[1]);
  const [w, e, s, n] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  let best = null;
  for (let i = 1; i < 30; i += 1) {
    for (let j = 1; j < 30; j += 1) {
      const p = [w + ((e - w) * i) / 30, s + ((n - s) * j) / 30];
      if (!inside(p)) continue;
      let d = Infinity;
      for (const ring of rings) for (let k = 1; k < ring.length; k += 1) d = Math.min(d, segDist(p, ring[k - 1], ring[k]));
      if (!best || d > best.d) best = { p, d };
    }
  }
  return best;
}
