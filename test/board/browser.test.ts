/**
 * The dashboard and Bull Board in a real browser: Debian's chromium driven by playwright-core.
 * Saves the screenshots the docs show (docs/*.png) and keeps copies as test artifacts.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTelemetry } from '../../src/agent/telemetry.js';
import { connectTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { type BoardMesh, PASSWORD, startBoardMesh, USERNAME } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ROOT = resolve(import.meta.dirname, '../..');
const DOCS = join(ROOT, 'docs');
const ARTIFACTS = join(ROOT, 'test-artifacts');

/** The little of playwright-core this test uses (imported by name, so it type-checks without it). */
interface Page {
  goto(url: string): Promise<unknown>;
  waitForSelector(selector: string, options?: { timeout?: number }): Promise<unknown>;
  evaluate<T>(fn: string): Promise<T>;
  locator(selector: string): {
    count(): Promise<number>;
    click(): Promise<void>;
    textContent(): Promise<string | null>;
  };
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
}
interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Browser {
  newContext(options: {
    httpCredentials: { username: string; password: string };
    viewport: { width: number; height: number };
    deviceScaleFactor?: number;
  }): Promise<BrowserContext>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: {
    launch(options: { executablePath: string; args: string[]; headless: boolean }): Promise<Browser>;
  };
}

async function loadPlaywright(): Promise<Playwright | null> {
  const name = 'playwright-core';
  try {
    return (await import(name)) as Playwright;
  } catch {
    return null;
  }
}

const playwright = await loadPlaywright();
const missing = !playwright
  ? 'playwright-core is not installed (it is a devDependency: run npm ci)'
  : !existsSync(CHROMIUM)
    ? `${CHROMIUM} is missing (apt-get install -y chromium)`
    : null;
if (missing) console.warn(`browser test skipped: ${missing}`);

/** Polls an expression in the page (CDP evaluation, which the page's CSP does not restrict). */
function waitInPage(page: Page, expression: string): Promise<boolean> {
  return waitFor(() => page.evaluate<boolean>(expression), expression);
}

function saveScreenshot(path: string): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  copyFileSync(path, join(ARTIFACTS, path.split('/').pop() ?? 'screenshot.png'));
}

describe.skipIf(missing !== null)(
  `the dashboard in chromium${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let mesh: BoardMesh;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      mesh = await startBoardMesh({
        nodes: 3,
        checks: '  interval: 250ms\n  retryInterval: 250ms\n  timeout: 500ms',
      });
      browser = await (playwright as Playwright).chromium.launch({
        executablePath: CHROMIUM,
        args: CHROMIUM_ARGS,
        headless: true,
      });
      context = await browser.newContext({
        httpCredentials: { username: USERNAME, password: PASSWORD },
        viewport: { width: 1280, height: 720 },
      });
      page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
    });
    afterAll(async () => {
      await context?.close();
      await browser?.close();
      await mesh?.stop();
    });

    it('shows a row per node, all healthy, with a sparkline of recent checks', async () => {
      await page.goto(`${mesh.url}/`);
      await page.waitForSelector('#live[data-state="live"]');
      expect(await page.locator('tr[data-node]').count()).toBe(3);
      await page.waitForSelector('#health-percent:text("100%")');
      await waitInPage(
        page,
        'document.querySelectorAll(\'tr[data-node][data-status="healthy"]\').length === 3',
      );
      await waitInPage(
        page,
        "[...document.querySelectorAll('svg.spark polyline')].filter((p) => p.getAttribute('points').split(' ').length >= 3).length === 3",
      );
      expect(await page.locator('tr[data-node="sim-1"] .models').textContent()).toMatch(
        /\d+ models.*loaded: .+ GB/,
      );
    });

    it('turns a node red when it dies', async () => {
      await mesh.simulator.setMode('sim-2', 'dead');
      await page.waitForSelector('tr[data-node="sim-2"][data-status="unhealthy"]');
      const colour = await page.evaluate<string>(
        'getComputedStyle(document.querySelector(\'tr[data-node="sim-2"] .dot\')).backgroundColor',
      );
      expect(colour).toBe('rgb(239, 68, 68)');
      expect(await page.locator('tr[data-node="sim-2"] .error').textContent()).toBe('connection refused');
      await page.waitForSelector('#health-percent:text("66.7%")');
    });

    it('runs a check when its button is pressed', async () => {
      await page.locator('button[data-check="sim-1"]').click();
      await waitInPage(
        page,
        '/^ok in \\d+ ms$/.test(document.querySelector(\'tr[data-node="sim-1"] .check-result\').textContent)',
      );
    });

    it('shows the GPU telemetry an agent reports', async () => {
      const redis = connectTestRedis();
      try {
        const gpu = {
          name: 'NVIDIA H200',
          memoryTotalBytes: 150_754_820_096,
          utilizationPercent: 97,
          temperatureC: 52,
          powerLimitW: 700,
        };
        await writeTelemetry(
          redis,
          mesh.prefix,
          'sim-1',
          {
            at: new Date().toISOString(),
            error: null,
            gpus: [
              { ...gpu, index: 0, memoryUsedBytes: 33_934_016_512, powerDrawW: 627.4 },
              { ...gpu, index: 1, memoryUsedBytes: 2_147_483_648, powerDrawW: 118 },
            ],
          },
          60_000,
        );
      } finally {
        redis.disconnect();
      }
      await page.waitForSelector('tr[data-node="sim-1"] .gpu[data-gpu="1"]');
      expect(await page.locator('tr[data-node="sim-1"] .gpu[data-gpu="0"]').textContent()).toBe(
        'GPU 0: NVIDIA H200 · 31.6 GB / 140.4 GB · 97% · 52 °C · 627 / 700 W',
      );
    });

    it('runs its inline code under its strict content security policy', () => {
      expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
    });

    it('saves a screenshot of the dashboard', async () => {
      // The alerts of the dead node, when the alerting engine publishes them, make a fuller picture.
      await page.waitForSelector('li[data-alert]', { timeout: 5000 }).catch(() => undefined);
      mkdirSync(DOCS, { recursive: true });
      const path = join(DOCS, 'dashboard.png');
      await page.screenshot({ path, fullPage: true });
      saveScreenshot(path);
      expect(existsSync(path)).toBe(true);
    });

    it('fits a phone screen without scrolling sideways', async () => {
      const phone = await browser.newContext({
        httpCredentials: { username: USERNAME, password: PASSWORD },
        viewport: { width: 390, height: 844 },
      });
      try {
        const small = await phone.newPage();
        await small.goto(`${mesh.url}/`);
        await small.waitForSelector('tr[data-node="sim-3"][data-status="healthy"]');
        const overflow = await small.evaluate<number>(
          'document.documentElement.scrollWidth - window.innerWidth',
        );
        expect(overflow).toBeLessThanOrEqual(0);
      } finally {
        await phone.close();
      }
    });

    it('shows every queue in Bull Board and saves a screenshot of it', async () => {
      await page.goto(`${mesh.url}/board/`);
      await page.waitForSelector('text=health-check');
      await page.waitForSelector('text=notify');
      const path = join(DOCS, 'bull-board.png');
      await page.screenshot({ path, fullPage: true });
      saveScreenshot(path);
      expect(existsSync(path)).toBe(true);
    });
  },
);
