/**
 * The dashboard and Bull Board in a real browser: Debian's chromium driven by playwright-core.
 * Takes the screenshot of Bull Board the docs show (docs/bull-board.png, with UPDATE_SCREENSHOTS=1);
 * the dashboard, node detail and status page ones come from the demo test (demo-browser.test.ts).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTelemetry } from '../../src/agent/telemetry.js';
import { connectTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import {
  type Browser,
  type BrowserContext,
  browserMissing,
  launchChromium,
  loggedIn,
  type Page,
  saveScreenshot,
  sidewaysOverflow,
  waitInPage,
} from './browser-support.js';
import { type BoardMesh, startBoardMesh } from './support.js';

const SLOW = 'sim-4';

/** Which element has the keyboard focus, as a selector-like description. */
const FOCUSED =
  "(document.activeElement.id ? '#' + document.activeElement.id : document.activeElement.tagName.toLowerCase()) + (document.activeElement.dataset.action ? '[' + document.activeElement.dataset.action + ' ' + document.activeElement.dataset.node + ']' : '')";

/** sim-3's row shows the outcome of a check asked from the page. */
const SIM3_CHECKED =
  '/^ok in \\d+ ms$/.test(document.querySelector(\'tr[data-node="sim-3"] .action-result\').textContent)';

/** Presses Tab until `selector` has the focus (at most `limit` times): the control is reachable by keyboard. */
async function tabTo(page: Page, selector: string, limit = 80): Promise<void> {
  const focused = `document.activeElement === document.querySelector(${JSON.stringify(selector)})`;
  for (let presses = 0; presses < limit; presses++) {
    if (await page.evaluate<boolean>(focused)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(
    `${selector} not reached by ${limit} presses of Tab (focus on ${await page.evaluate<string>(FOCUSED)})`,
  );
}

describe.skipIf(browserMissing !== null)(
  `the dashboard in chromium${browserMissing ? ` (skipped: ${browserMissing})` : ''}`,
  () => {
    let mesh: BoardMesh;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      mesh = await startBoardMesh({
        nodes: 4,
        checks: '  interval: 250ms\n  retryInterval: 250ms\n  timeout: 500ms',
        // A node checked once an hour: its last-check age grows until a person asks for a check.
        nodeYaml: { [SLOW]: 'checks: { interval: 1h }' },
      });
      browser = await launchChromium();
      context = await loggedIn(browser);
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
      expect(await page.locator('tr[data-node]').count()).toBe(4);
      await page.waitForSelector('#health-percent:text("100%")');
      await waitInPage(
        page,
        'document.querySelectorAll(\'tr[data-node][data-status="healthy"]\').length === 4',
      );
      await waitInPage(
        page,
        "[...document.querySelectorAll('svg.spark polyline')].filter((p) => p.getAttribute('points').split(' ').length >= 3).length === 3",
      );
      expect(await page.locator('tr[data-node="sim-1"] .models').textContent()).toMatch(
        /\d+ models.*loaded: .+ GB/,
      );
    });

    it('shows the latest stats report with the mesh uptime, redrawn as reports come', async () => {
      await waitInPage(page, "document.querySelectorAll('#stats tr[data-stats-node]').length === 4");
      const caption = await page.locator('#stats-at').textContent();
      expect(caption).toMatch(/^Report of 300 ms up to .+ · mesh \d+% \(\d\/4 healthy\)$/);
      const cell = (label: string) => `tr[data-stats-node="sim-1"] td[data-label="${label}"]`;
      expect(await page.locator(cell('node')).textContent()).toBe('sim-1');
      // A new report every 300 ms reaches the page by the event stream (the page loads one only at
      // the stream's opening); sim-1 passes every check, so its checks count and 100% show.
      await waitInPage(
        page,
        `document.getElementById('stats-at').textContent !== ${JSON.stringify(caption)} && ` +
          `Number(document.querySelector('${cell('checks')}').textContent) > 0 && ` +
          `document.querySelector('${cell('uptime 24 h')}').textContent === '100%'`,
      );
      expect(await page.locator(cell('success')).textContent()).toBe('100%');
      expect(await page.locator(cell('uptime 7 d')).textContent()).toBe('100%');
      expect(await page.locator(cell('p95')).textContent()).toMatch(/^\d+ ms$/);
    });

    it('turns a node red when it dies, and says so by icon and word, not colour alone', async () => {
      await mesh.simulator.setMode('sim-2', 'dead');
      await page.waitForSelector('tr[data-node="sim-2"][data-status="unhealthy"]');
      const icon = 'tr[data-node="sim-2"] .status-icon';
      const colour = await page.evaluate<string>(
        `getComputedStyle(document.querySelector('${icon}')).backgroundColor`,
      );
      expect(colour).toBe('rgb(239, 68, 68)');
      expect(await page.locator(icon).textContent()).toBe('✕');
      expect(await page.locator(icon).getAttribute('aria-hidden')).toBe('true');
      expect(await page.locator('tr[data-node="sim-2"] .status-text').textContent()).toBe('unhealthy');
      expect(await page.locator('tr[data-node="sim-1"] .status-icon').textContent()).toBe('✓');
      expect(await page.locator('tr[data-node="sim-2"] .error').textContent()).toBe('connection refused');
      await page.waitForSelector('#health-percent:text("75%")');
    });

    it('runs a check when its button is pressed and confirmed', async () => {
      await page.locator('button[data-check="sim-1"]').click();
      await page.waitForSelector('#action-dialog[open]');
      expect(await page.locator('#action-title').textContent()).toBe('Check sim-1 now?');
      await page.locator('#action-confirm').click();
      await waitInPage(
        page,
        '/^ok in \\d+ ms$/.test(document.querySelector(\'tr[data-node="sim-1"] .action-result\').textContent)',
      );
    });

    it('runs an action from the keyboard alone: Tab to it, Enter, the dialog focused, Escape cancels', async () => {
      const button = 'button[data-action="check"][data-node="sim-3"]';
      await page.evaluate<void>('document.activeElement.blur()');
      await tabTo(page, button);
      expect(
        await page.evaluate<string>(`getComputedStyle(document.querySelector('${button}')).outlineStyle`),
      ).toBe('solid');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#action-dialog[open]');
      expect(await page.evaluate<string>(FOCUSED)).toBe('#action-confirm');
      await page.keyboard.press('Escape');
      await waitInPage(page, "!document.getElementById('action-dialog').open");
      expect(await page.evaluate<string>(FOCUSED)).toBe('button[check sim-3]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#action-dialog[open]');
      await page.keyboard.press('Enter');
      await waitInPage(page, "!document.getElementById('action-dialog').open");
      await waitInPage(page, SIM3_CHECKED);
    });

    it('keeps the action of a dialog opened again before the close event of its cancel came', async () => {
      const button = 'button[data-action="check"][data-node="sim-3"]';
      await page.evaluate<void>(
        `document.querySelector('tr[data-node="sim-3"] .action-result').replaceChildren()`,
      );
      await page.locator(button).click();
      await page.waitForSelector('#action-dialog[open]');
      // Cancel and open again in one task: the cancel's close event is dispatched after the reopening.
      await page.evaluate<void>(
        `document.getElementById('action-cancel').click(); document.querySelector('${button}').click()`,
      );
      await page.locator('#action-confirm').click();
      await waitInPage(page, "!document.getElementById('action-dialog').open");
      await waitInPage(page, SIM3_CHECKED);
    });

    it('silences from the keyboard: the duration field focused, Enter confirms', async () => {
      const row = 'tr[data-node="sim-1"]';
      await tabTo(page, `${row} button[data-action="silence"]`);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#action-dialog[open]');
      expect(await page.evaluate<string>(FOCUSED)).toBe('#silence-for');
      await page.keyboard.press('Tab');
      await page.keyboard.type('keyboard test');
      await page.keyboard.press('Enter');
      await page.waitForSelector(`${row} .silenced`);
      expect(await page.locator(`${row} .action-result`).getAttribute('role')).toBe('status');
      await page.locator(`${row} button[data-action="unsilence"]`).click();
      await page.locator('#action-confirm').click();
      await waitInPage(page, `document.querySelector('${row} .silenced') === null`);
    });

    it('resets the last-check age of a node checked now', async () => {
      const age = `Number(document.querySelector('tr[data-node="${SLOW}"] .age').getAttribute('data-age-s') || -1)`;
      await waitInPage(page, `${age} >= 3`);
      await page.locator(`button[data-action="check"][data-node="${SLOW}"]`).click();
      await page.locator('#action-confirm').click();
      await waitInPage(page, `${age} >= 0 && ${age} < 2`);
      expect(await page.locator(`tr[data-node="${SLOW}"] .age`).textContent()).toMatch(
        /^checked [01] s ago$/,
      );
    });

    it('silences a node with a reason and ends the silence, both seen live', async () => {
      const row = 'tr[data-node="sim-3"]';
      await page.locator(`${row} button[data-action="silence"]`).click();
      expect(await page.locator('#action-title').textContent()).toBe('Silence sim-3?');
      await page.locator('#silence-for').fill('2h');
      await page.locator('#silence-reason').fill('driver upgrade');
      await page.locator('#action-confirm').click();
      await page.waitForSelector(`${row} .silenced`);
      await waitInPage(page, "!document.getElementById('action-dialog').open");
      await waitInPage(page, `document.querySelector('${row} button[data-action="silence"]').hidden`);
      expect(await page.locator(`${row} .action-result`).textContent()).toMatch(/^silenced until /);
      const silence = await mesh.json<{ silenced: boolean }>('/api/nodes/sim-3');
      expect(silence.silenced).toBe(true);

      await page.locator(`${row} button[data-action="unsilence"]`).click();
      expect(await page.locator('#action-title').textContent()).toBe('End the silence of sim-3?');
      await page.locator('#action-confirm').click();
      await waitInPage(page, `document.querySelector('${row} .silenced') === null`);
      await waitInPage(page, `!document.querySelector('${row} button[data-action="silence"]').hidden`);
      expect(await page.locator(`${row} .action-result`).textContent()).toBe('silence ended');
    });

    it('shows the 400 of a bad silence duration in its dialog, naming the field', async () => {
      await page.locator('tr[data-node="sim-3"] button[data-action="silence"]').click();
      await page.locator('#silence-for').fill('soon');
      await page.locator('#action-confirm').click();
      await waitInPage(page, "document.getElementById('action-error').textContent !== ''");
      expect(await page.locator('#action-error').textContent()).toBe(
        '400: for: not a duration: "soon" (use e.g. 30m, 2h, 1d)',
      );
      expect(await page.evaluate<boolean>("document.getElementById('action-dialog').open")).toBe(true);
      await page.locator('#action-cancel').click();
      await waitInPage(page, "!document.getElementById('action-dialog').open");
      expect(await page.locator('tr[data-node="sim-3"] .silenced').count()).toBe(0);
    });

    it('shows why a node cannot be recovered', async () => {
      await page.locator('tr[data-node="sim-1"] button[data-action="recover"]').click();
      await page.locator('#action-confirm').click();
      await waitInPage(
        page,
        '/^400: /.test(document.querySelector(\'tr[data-node="sim-1"] .action-result\').textContent)',
      );
      expect(await page.locator('tr[data-node="sim-1"] .action-result').textContent()).toBe(
        '400: node sim-1 has no recovery configured (recovery.kind: none)',
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

    it('opens the detail of a dead node: its timeline, latency and incident', async () => {
      await page.locator('button[data-detail="sim-2"]').click();
      await page.waitForSelector('#detail[data-node="sim-2"]:not([hidden])');
      await waitInPage(page, "document.querySelectorAll('#detail-timeline .cell').length === 48");
      const last = await page.evaluate<string>(
        "[...document.querySelectorAll('#detail-timeline .cell')].at(-1).getAttribute('data-level')",
      );
      expect(['warn', 'bad']).toContain(last);
      await page.waitForSelector('#detail-latency svg.latency-chart polyline');
      // The incident appears once its first alert is in the history; the panel refreshes on reopening.
      await waitFor(async () => {
        await page.locator('button[data-detail="sim-2"]').click();
        return page.evaluate<boolean>(
          'document.querySelector(\'#detail-incidents tr[data-incident^="sim-2:"]\') !== null',
        );
      }, 'an incident of sim-2 in the detail');
      const incident = await page.locator('#detail-incidents tr[data-incident^="sim-2:"]').textContent();
      expect(incident).toMatch(/ongoing/);
      expect(
        await page.evaluate<string>(
          "document.querySelector('#detail-incidents tr[data-incident] a').getAttribute('href')",
        ),
      ).toMatch(/^board\/queue\/recovery\/recover-sim-2-sim-2-\d+$/);
      expect(await page.locator('#detail-facts').textContent()).toMatch(/\d+ models installed.*GB VRAM/);
    });

    it('weighs under 40 kB, all inline', async () => {
      const html = await (await mesh.get('/')).text();
      const bytes = Buffer.byteLength(html);
      console.info(`dashboard page weight: ${bytes} bytes`);
      expect(bytes).toBeLessThan(40_000);
    });

    it('fits a phone screen (375 px) without scrolling sideways, its node detail open too', async () => {
      const phone = await loggedIn(browser, { width: 375, height: 812 });
      try {
        const small = await phone.newPage();
        await small.goto(`${mesh.url}/`);
        await small.waitForSelector('tr[data-node="sim-3"][data-status="healthy"]');
        await small.waitForSelector(`tr[data-node="${SLOW}"][data-status="healthy"]`);
        expect(await sidewaysOverflow(small)).toBeLessThanOrEqual(0);
        await small.locator('button[data-detail="sim-2"]').click();
        await small.waitForSelector('#detail-incidents tr[data-incident]');
        await small.waitForSelector('#detail-latency svg.latency-chart');
        expect(await sidewaysOverflow(small)).toBeLessThanOrEqual(0);
        await small.locator('button[data-action="silence"][data-node="sim-1"]').click();
        await small.waitForSelector('#action-dialog[open]');
        expect(await sidewaysOverflow(small)).toBeLessThanOrEqual(0);
      } finally {
        await phone.close();
      }
    });

    it('shows every queue in Bull Board and saves a screenshot of it', async () => {
      await page.goto(`${mesh.url}/board/`);
      await page.waitForSelector('text=health-check');
      await page.waitForSelector('text=notify');
      const path = await saveScreenshot(
        (to) => page.screenshot({ path: to, fullPage: true }),
        'bull-board.png',
      );
      expect(existsSync(path)).toBe(true);
    });
  },
);
