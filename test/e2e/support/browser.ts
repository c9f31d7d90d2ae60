import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

// Debian's chromium, not a Playwright download: CI installs it with apt and there is no
// network for a browser download.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * A browser of its own whose profile (in `profileDir`, an empty directory) sets the text
 * size of its Appearance settings, as a person who needs larger text does: a preference
 * no launch option or context option sets. Close the context to end the browser.
 */
export async function launchWithTextSize(
  profileDir: string,
  defaultFontSizePx: number,
  baseURL: string,
): Promise<BrowserContext> {
  await mkdir(path.join(profileDir, 'Default'), { recursive: true });
  const preferences = { webkit: { webprefs: { default_font_size: defaultFontSizePx } } };
  await writeFile(path.join(profileDir, 'Default', 'Preferences'), JSON.stringify(preferences));
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    baseURL,
    viewport: { width: 1280, height: 900 },
  });
}
