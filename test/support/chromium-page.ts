import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { workspaceRoot } from '@answerbridge/testing';
import path from 'node:path';

/** What the page's CSP refused, script errors, and native dialogs (prompt/alert/confirm) it opened. */
export interface PageTrouble {
  violations: string[];
  errors: string[];
  nativeDialogs: string[];
}

/** Debian's Chromium (scripts/setup-browser.sh installs it; playwright-core never downloads a browser). */
export async function launchChromium(): Promise<Browser> {
  const setup = spawnSync('bash', [path.join(workspaceRoot, 'scripts/setup-browser.sh')], { encoding: 'utf8' });
  if (setup.status !== 0) throw new Error(`scripts/setup-browser.sh failed:\n${setup.stderr}`);
  return chromium.launch({
    executablePath: setup.stdout.trim(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** A page whose CSP violations, script errors and native dialogs are collected from the first document on. */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; trouble: PageTrouble }> {
  const page = await context.newPage();
  const trouble: PageTrouble = { violations: [], errors: [], nativeDialogs: [] };
  await page.exposeFunction('__reportViolation', (text: string) => void trouble.violations.push(text));
  // Runs in the page before its own scripts (test code, not the page's: the CSP does not apply to it).
  await page.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => window.__reportViolation(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));",
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content[ -]Security[ -]Policy/i.test(m.text())) trouble.violations.push(m.text());
  });
  page.on('pageerror', (e) => void trouble.errors.push(e.message));
  page.on('dialog', (d) => {
    trouble.nativeDialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return { page, trouble };
}

/** The page is no wider than the screen: nothing sticks out sideways (a phone would have to scroll). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
}

/** Logs in on the console's page (a demo account's password unless given) and waits for the inbox. */
export async function logInToConsole(
  page: Page,
  consoleUrl: string,
  username: string,
  password = 'answerbridge-demo',
): Promise<void> {
  await page.goto(consoleUrl);
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.locator('#app:not([hidden])').waitFor();
}
