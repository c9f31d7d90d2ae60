import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// jsdom applies no stylesheet, so the rule itself is read: on a 2200 px screen a message
// must not run the timeline's full width (45-90 characters is the readable range).
const CSS = readFileSync(resolve(__dirname, '../../../src/client/styles.css'), 'utf8');

function declarations(selector: string): string {
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const rule = new RegExp(`(?:^|\\n)${escaped}\\s*\\{([^}]*)\\}`).exec(CSS);
  if (!rule?.[1]) throw new Error(`no rule for ${selector}`);
  return rule[1];
}

describe('the chat timeline', () => {
  it('gives message text a readable line length', () => {
    const maxWidth = /(?:^|\n)\s*max-width:\s*(\d+)ch\s*;/.exec(declarations('.message__text'));
    const characters = Number(maxWidth?.[1]);
    expect(characters).toBeGreaterThanOrEqual(45);
    expect(characters).toBeLessThanOrEqual(90);
  });

  // display-text.ts caps the marks on a letter; a font may still draw them above the line.
  it.each(['.message__text', '.notification__title', '.notification__body'])(
    'keeps what %s draws inside it: stacked marks do not cover the lines around',
    (selector) => {
      expect(declarations(selector)).toMatch(/(?:^|\n)\s*overflow:\s*hidden\s*;/);
    },
  );
});
