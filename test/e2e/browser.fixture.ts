import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../../services/config/project-root';

/** Debian's chromium driven by playwright-core (no browser download: see ensure-system-deps.sh --with-browser). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

export function artifactsDir(): string {
  const dir = path.join(projectRoot(), 'test-artifacts', 'e2e');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifactsDir(), `${name}.png`), fullPage: true });
}

export async function signInAs(page: Page, baseUrl: string, login: { username: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Tên đăng nhập').fill(login.username);
  await page.getByLabel('Mật khẩu').fill(login.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in') && u.pathname !== '/'), page.getByRole('button', { name: 'Đăng nhập' }).click()]);
}
