/**
 * What the browser tests share: Debian's chromium driven by playwright-core (typed here by the little
 * of it they use, so the tests type-check without it), why they skip when either is missing, and
 * where their screenshots go (docs/, which README.md and docs/http-api.md show, and test-artifacts/).
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from '../helpers/wait.js';
import { PASSWORD, USERNAME } from './support.js';

export const CHROMIUM = '/usr/bin/chromium';
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

export interface Locator {
  count(): Promise<number>;
  screenshot(options: { path: string }): Promise<unknown>;
  click(): Promise<void>;
  fill(value: string): Promise<void>;
  focus(): Promise<void>;
  textContent(): Promise<string | null>;
  getAttribute(name: string): Promise<string | null>;
}
export interface Page {
  goto(url: string): Promise<{ status(): number } | null>;
  waitForSelector(selector: string, options?: { timeout?: number }): Promise<unknown>;
  evaluate<T>(fn: string): Promise<T>;
  locator(selector: string): Locator;
  content(): Promise<string>;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
  close(): Promise<void>;
}
export interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
export interface Browser {
  newContext(options: {
    httpCredentials?: { username: string; password: string };
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

/** Why the browser tests cannot run here, or null when they can. */
export const browserMissing = !playwright
  ? 'playwright-core is not installed (it is a devDependency: run npm ci)'
  : !existsSync(CHROMIUM)
    ? `${CHROMIUM} is missing (apt-get install -y chromium)`
    : null;
if (browserMissing) console.warn(`browser test skipped: ${browserMissing}`);

export function launchChromium(): Promise<Browser> {
  if (!playwright) throw new Error('playwright-core is not installed');
  return playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A browser context logged in to the board mesh's server. */
export function loggedIn(browser: Browser, viewport = { width: 1280, height: 720 }): Promise<BrowserContext> {
  return browser.newContext({ httpCredentials: { username: USERNAME, password: PASSWORD }, viewport });
}

/** Polls an expression in the page (CDP evaluation, which the page's CSP does not restrict). */
export function waitInPage(page: Page, expression: string, timeoutMs?: number): Promise<boolean> {
  return waitFor(() => page.evaluate<boolean>(expression), expression, timeoutMs);
}

/** Where `saveScreenshot` writes: docs/ with UPDATE_SCREENSHOTS=1, else test-artifacts/ only. */
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? DOCS : ARTIFACTS;

/** Takes a screenshot as `name` (`shoot` writes it to the path given); returns where it is. */
export async function saveScreenshot(
  shoot: (path: string) => Promise<unknown>,
  name: string,
): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(SHOTS, name);
  await shoot(path);
  if (SHOTS !== ARTIFACTS) copyFileSync(path, join(ARTIFACTS, name));
  return path;
}

/** How far the page scrolls sideways (0 or less: it fits its viewport's width). */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
}
