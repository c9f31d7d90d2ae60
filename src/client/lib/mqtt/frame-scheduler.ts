// Runs a callback before the next paint, or soon when frames are not coming (hidden
// tab, no DOM): coalesced store updates must still land eventually.
export type FrameScheduler = (callback: () => void) => void;

export const FALLBACK_FRAME_MS = 16; // one frame at 60 Hz

export const nextFrame: FrameScheduler = (callback) => {
  const visible = typeof document === 'undefined' || document.visibilityState !== 'hidden';
  if (visible && typeof requestAnimationFrame === 'function') {
    requestAnimationFrame(() => callback());
  } else {
    setTimeout(callback, FALLBACK_FRAME_MS);
  }
};
