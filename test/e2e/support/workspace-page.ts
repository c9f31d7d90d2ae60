import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { DEMO_PASSWORD } from './e2e-server';

// Page helpers that find things the way a person (or a screen reader) does: by role,
// label and visible text.

export const UI_TIMEOUT_MS = 30_000; // the machine is slow and shared
// Tall enough that a conversation of a few dozen short messages is not virtualized away.
const VIEWPORT = { width: 1280, height: 1000 };

export interface UserPage {
  context: BrowserContext;
  page: Page;
}

/**
 * A fresh browser context (own cookies and storage) signed in through the sign-in page;
 * `prepare` runs on the context before its first page opens (routes, say).
 */
export async function signIn(
  browser: Browser,
  baseUrl: string,
  username: string,
  password = DEMO_PASSWORD,
  prepare?: (context: BrowserContext) => Promise<void>,
): Promise<UserPage> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: VIEWPORT });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  await prepare?.(context);
  const page = await context.newPage();
  await signInOn(page, username, password);
  return { context, page };
}

/** Signs in on an already open page (its sign-in form must be showing or loading). */
export async function signInOn(page: Page, username: string, password = DEMO_PASSWORD) {
  if (page.url() === 'about:blank') await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitConnected(page);
}

/** Another tab of the same browser context: already signed in by its session cookie. */
export async function openTab(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/');
  await waitConnected(page);
  return page;
}

export function connectionStatus(page: Page): Locator {
  return page.getByRole('banner').getByRole('status');
}

export async function waitConnected(page: Page): Promise<void> {
  await connectionStatus(page)
    .filter({ hasText: /^Connected$/ })
    .waitFor();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

const workspaceNav = (page: Page) => page.getByRole('navigation', { name: 'Workspace' });

export async function openRoom(page: Page, room: string): Promise<RoomPage> {
  await workspaceNav(page)
    .getByRole('link', { name: `# ${room}` })
    .click();
  const roomPage = new RoomPage(page, room);
  await roomPage.messages.waitFor();
  return roomPage;
}

export async function openSection(page: Page, name: 'Agents' | 'People' | 'Notifications') {
  await workspaceNav(page).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name, level: 2 }).waitFor();
}

export class RoomPage {
  readonly messages: Locator;
  readonly composer: Locator;
  readonly typing: Locator;

  constructor(
    readonly page: Page,
    readonly room: string,
  ) {
    this.messages = page.getByRole('region', { name: `Messages in #${room}` });
    this.composer = page.getByRole('textbox', { name: `Message #${room}` });
    // The indicator is a live region without a role of its own.
    this.typing = page.locator('.typing-indicator');
  }

  /** The rendered message(s) whose text is exactly `text`. */
  message(text: string): Locator {
    return this.messages
      .getByRole('article')
      .filter({ has: this.page.getByText(text, { exact: true }) });
  }

  async send(text: string): Promise<void> {
    await this.composer.fill(text);
    await this.composer.press('Enter');
  }

  /** How many messages the timeline holds (virtualized rows carry aria-setsize). */
  async totalMessages(): Promise<number> {
    const row = this.messages.getByRole('listitem').first();
    if ((await row.count()) === 0) return 0;
    return Number(await row.getAttribute('aria-setsize'));
  }
}

/** The row of `user` in the People view. */
export function personRow(page: Page, user: string): Locator {
  return page
    .getByRole('list', { name: 'People in your organisation' })
    .getByRole('listitem')
    .filter({ has: page.getByText(user, { exact: true }) });
}

/** The row of `agent` on the agents board. */
export function agentRow(page: Page, agent: string): Locator {
  return page
    .getByRole('list', { name: 'Agents' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('link', { name: agent, exact: true }) });
}
