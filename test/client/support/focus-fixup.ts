import { onTestFinished } from 'vitest';

/**
 * jsdom leaves focus on a control that becomes disabled; a browser does not (HTML's focus
 * fixup rule: focus falls back to <body>, and a keyboard user with it). For the rest of
 * the test, a control disabled while focused loses focus the way it does in a browser.
 */
export function emulateFocusFixup(): void {
  const observer = new MutationObserver(() => {
    const focused = document.activeElement;
    if (!(focused instanceof HTMLElement) || !focused.matches(':disabled')) return;
    // jsdom will not blur a disabled control either: lifted for the blur, then put back.
    focused.toggleAttribute('disabled', false);
    focused.blur();
    focused.toggleAttribute('disabled', true);
  });
  observer.observe(document.body, {
    subtree: true,
    attributes: true,
    attributeFilter: ['disabled'],
  });
  onTestFinished(() => observer.disconnect());
}
