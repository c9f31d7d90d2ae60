// Page-side instruments for the browser benchmarks, installed with addInitScript before
// the app's own scripts run. Plain JavaScript on purpose: it is handed to the page as
// written (tsx would add helpers the page does not have), and it changes nothing in the
// app. Everything it learns it keeps in window.__switchboardBench for the driver to read.
//
// - Frames: a requestAnimationFrame loop records every frame's timestamp; a message posted
//   from that callback runs as the next task, i.e. after the frame's style, layout and
//   paint, and marks "this frame has been rendered".
// - What the page shows: a MutationObserver snapshots the figures the benchmarks read
//   (room unread badges, the open room's message count, agent rows and the board count)
//   whenever the DOM changes. A snapshot taken while a frame is being produced (from its
//   rAF callbacks on) is painted in that frame; one taken in any other task is painted in
//   the next. Each changed figure is reported with the time its frame was rendered.
// - Long tasks and long animation frames (with script attribution) from PerformanceObserver.
// - The MQTT WebSocket: when it opened, when frames arrived, how many bytes.
(() => {
  const bench = {
    ws: { openAt: null, firstMessageAt: null, lastMessageAt: null, frames: 0, bytes: 0, sent: 0 },
    recording: false,
    windowStart: 0,
    windowEnd: 0,
    frames: [],
    longTasks: [],
    longFrames: [],
    observations: [],
    // With trackArrivals set, arrivals gets (frame arrival − stamp) for every `sentAt` or
    // `updatedAt` in an MQTT frame received while recording: where publish → rendered is
    // spent, network side or page side. Off by default: decoding every frame costs the page.
    trackArrivals: false,
    arrivals: [],
  };
  window.__switchboardBench = bench;

  // --- the MQTT WebSocket -------------------------------------------------------------
  const NativeWebSocket = window.WebSocket;
  const decoder = new TextDecoder('latin1');
  const STAMP = /"(?:sentAt|updatedAt)":(\d{13})/g;
  class ObservedWebSocket extends NativeWebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      if (!String(url).includes('/mqtt')) return;
      const ws = {
        openAt: null,
        firstMessageAt: null,
        lastMessageAt: null,
        frames: 0,
        bytes: 0,
        sent: 0,
      };
      bench.ws = ws;
      this.addEventListener('open', () => (ws.openAt = Date.now()));
      this.addEventListener('message', (event) => {
        const at = Date.now();
        if (ws.firstMessageAt === null) ws.firstMessageAt = at;
        ws.lastMessageAt = at;
        ws.frames += 1;
        ws.bytes += event.data.byteLength ?? event.data.size ?? 0;
        if (bench.trackArrivals && bench.recording && event.data instanceof ArrayBuffer) {
          const text = decoder.decode(event.data);
          for (const match of text.matchAll(STAMP)) bench.arrivals.push(at - Number(match[1]));
        }
      });
    }
    send(data) {
      bench.ws.sent += 1;
      super.send(data);
    }
  }
  window.WebSocket = ObservedWebSocket;

  // --- frames -------------------------------------------------------------------------
  let frameIndex = 0;
  let producingFrame = false;
  const afterFrame = new MessageChannel();
  afterFrame.port1.onmessage = (event) => {
    producingFrame = false;
    settle(event.data);
  };
  const onFrame = (timestamp) => {
    frameIndex += 1;
    producingFrame = true;
    if (bench.recording) bench.frames.push(timestamp);
    afterFrame.port2.postMessage(frameIndex);
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);

  // --- long tasks and long animation frames -------------------------------------------
  const observe = (type, sink) => {
    try {
      new PerformanceObserver((list) => {
        if (!bench.recording) return;
        for (const entry of list.getEntries()) sink(entry);
      }).observe({ type, buffered: false });
    } catch {
      // not supported by this browser: the list stays empty and the driver says so
    }
  };
  observe('longtask', (entry) =>
    bench.longTasks.push({ start: entry.startTime, duration: entry.duration }),
  );
  observe('long-animation-frame', (entry) =>
    bench.longFrames.push({
      start: entry.startTime,
      duration: entry.duration,
      blockingDuration: entry.blockingDuration,
      renderStart: entry.renderStart,
      styleAndLayoutStart: entry.styleAndLayoutStart,
      scripts: entry.scripts.map((script) => ({
        duration: script.duration,
        invoker: script.invoker,
        source: `${script.sourceURL}:${script.sourceCharPosition}`,
        functionName: script.sourceFunctionName,
        forcedStyleAndLayoutDuration: script.forcedStyleAndLayoutDuration,
      })),
    }),
  );

  // --- what the page shows ------------------------------------------------------------
  const text = (element) => (element ? element.textContent.trim() : null);

  // Figure name → value, read from the DOM as a person would see it.
  const snapshot = () => {
    const figures = new Map();
    for (const item of document.querySelectorAll('nav .nav-item')) {
      const label = text(item.querySelector('.nav-item__label'));
      if (!label || !label.startsWith('# ')) continue;
      const badge = item.querySelector('.badge');
      // The count the badge stands for: past 99 it shows "99+", and keeps the count in
      // data-count.
      const count = badge ? (badge.dataset.count ?? String(parseInt(text(badge), 10))) : '0';
      figures.set(`unread:${label.slice(2)}`, count);
    }
    const heading = text(document.getElementById('room-heading'));
    if (heading && heading.startsWith('# ')) {
      const row = document.querySelector('.message-list__items > li');
      figures.set(`timeline:${heading.slice(2)}`, row ? row.getAttribute('aria-setsize') : '0');
    }
    const board = document.querySelector('.agents');
    if (board) {
      figures.set('board', text(board.querySelector('.view-header .muted')));
      for (const row of board.querySelectorAll('.agent-row')) {
        const name = text(row.querySelector('.agent-row__name'));
        if (name) figures.set(`agent:${name}`, text(row.querySelector('.agent-row__task')));
      }
    }
    return figures;
  };

  const shown = new Map(); // figure → value last reported
  const pending = new Map(); // frame that will paint it → latest snapshot taken for it

  const record = () => {
    const target = producingFrame ? frameIndex : frameIndex + 1;
    pending.set(target, snapshot());
  };

  function settle(frame) {
    if (pending.size === 0) return;
    const at = Date.now();
    for (const [target, figures] of [...pending].sort((a, b) => a[0] - b[0])) {
      if (target > frame) break;
      pending.delete(target);
      for (const [name, value] of figures) {
        if (shown.get(name) === value) continue;
        shown.set(name, value);
        bench.observations.push([name, value, at]);
      }
    }
  }

  const startObserving = () =>
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['aria-setsize'],
    });
  if (document.body) startObserving();
  else document.addEventListener('DOMContentLoaded', startObserving);

  // --- the driver's API ---------------------------------------------------------------
  /** Starts a measured window: frames, long tasks and long frames from now on. */
  bench.start = () => {
    bench.frames = [];
    bench.longTasks = [];
    bench.longFrames = [];
    bench.arrivals = [];
    bench.windowStart = performance.now();
    bench.recording = true;
  };
  /** Ends the window; observations keep coming until takeObservations. */
  bench.stop = () => {
    bench.recording = false;
    bench.windowEnd = performance.now();
    return {
      durationMs: bench.windowEnd - bench.windowStart,
      frames: bench.frames,
      longTasks: bench.longTasks,
      longFrames: bench.longFrames,
      arrivals: bench.arrivals,
    };
  };
  bench.takeObservations = () => bench.observations.splice(0);
  bench.figures = () => Object.fromEntries(snapshot());

  /** Scrolls `selector` top to bottom a screen at a time, collecting agent rows' tasks. */
  bench.readAllAgents = async () => {
    const scroller = document.querySelector('.agents__scroller');
    const seen = {};
    if (!scroller) return seen;
    const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    for (let top = 0; ; top += scroller.clientHeight) {
      scroller.scrollTop = top;
      await nextFrame();
      await nextFrame();
      for (const row of document.querySelectorAll('.agent-row')) {
        const name = text(row.querySelector('.agent-row__name'));
        if (name) seen[name] = text(row.querySelector('.agent-row__task'));
      }
      if (top + scroller.clientHeight >= scroller.scrollHeight) break;
    }
    scroller.scrollTop = 0;
    return seen;
  };

  const timeline = () => document.querySelector('.message-list__scroller');
  const timelineLength = () =>
    Number(document.querySelector('.message-list__items > li')?.getAttribute('aria-setsize') ?? 0);

  /**
   * Reads back through the open room's history as a reader would: keeps the timeline
   * scrolled to the top, which makes the app fetch the next older page, until `count`
   * messages are loaded or `timeoutMs` passes.
   */
  bench.loadHistory = (count, timeoutMs) =>
    new Promise((resolve) => {
      const started = performance.now();
      const step = () => {
        const scroller = timeline();
        const loaded = timelineLength();
        const ms = performance.now() - started;
        if (loaded >= count || ms > timeoutMs || !scroller) return resolve({ loaded, ms });
        // The app holds the reader's place when a page is prepended (scrollTop moves down
        // by its height); back to the top, and a scroll event in case it was already there.
        if (scroller.scrollTop !== 0) scroller.scrollTop = 0;
        else scroller.dispatchEvent(new Event('scroll'));
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });

  /** Scrolls the open timeline at a steady `pxPerSecond` for `ms` from `fromFraction`. */
  bench.scrollTimeline = (pxPerSecond, ms, fromFraction) =>
    new Promise((resolve) => {
      const scroller = timeline();
      if (!scroller) return resolve({ px: 0 });
      const from = Math.floor((scroller.scrollHeight - scroller.clientHeight) * fromFraction);
      scroller.scrollTop = from;
      let started = null;
      const step = (timestamp) => {
        if (started === null) started = timestamp;
        const elapsed = timestamp - started;
        scroller.scrollTop = from + (pxPerSecond * elapsed) / 1_000;
        if (elapsed < ms) requestAnimationFrame(step);
        else resolve({ px: scroller.scrollTop - from });
      };
      requestAnimationFrame(step);
    });
})();
