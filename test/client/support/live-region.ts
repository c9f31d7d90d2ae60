/**
 * Each text a live region holds, in turn, from now on: a screen reader speaks it on each
 * change, so the same words set twice in a row (no change) are spoken once.
 */
export function spokenIn(region: HTMLElement): string[] {
  const said: string[] = [];
  new MutationObserver(() => said.push(region.textContent ?? '')).observe(region, {
    childList: true,
    subtree: true,
    characterData: true,
  });
  return said;
}
