import { existsSync, readFileSync } from 'node:fs';
import { SourceMapConsumer, type RawSourceMap } from 'source-map-js';

/** A frame as V8's CPU and heap profiles give it. */
export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface SourcePosition {
  /** The function and where it is: `name src/…:line` once mapped. */
  name: string;
  /** Its package (`node_modules/<package>`), the app's `src/<area>/<feature>`, or a bucket. */
  where: string;
}

/**
 * Names the page's frames by their place in src/, through the build's source maps
 * (`root`dist/assets/*.js.map), so that minified frames get their real names. Frames
 * without a script are the engine's own buckets ('(program)', '(garbage collector)') or
 * browser built-ins called from script (send, decode, …).
 */
export function sourcePositions(root: string): (frame: CallFrame) => SourcePosition {
  const maps = new Map<string, SourceMapConsumer | null>();
  const consumer = (url: string) => {
    if (!maps.has(url)) {
      const file = /\/assets\/[^/?#]+\.js/.exec(url)?.[0];
      const mapFile = file ? `${root}dist${file}.map` : null;
      maps.set(
        url,
        mapFile && existsSync(mapFile)
          ? new SourceMapConsumer(JSON.parse(readFileSync(mapFile, 'utf8')) as RawSourceMap)
          : null,
      );
    }
    return maps.get(url) ?? null;
  };
  return (frame) => {
    let name = `${frame.functionName || '(anonymous)'} ${frame.url ? shortUrl(frame.url) : ''}`;
    let where = frame.url
      ? shortUrl(frame.url)
      : frame.functionName.startsWith('(')
        ? frame.functionName
        : '(built-ins)';
    const map = frame.url ? consumer(frame.url) : null;
    if (map) {
      const original = map.originalPositionFor({
        line: frame.lineNumber + 1,
        column: frame.columnNumber,
      });
      if (original.source) {
        name = `${original.name ?? frame.functionName ?? '(anonymous)'} ${shortSource(original.source)}:${original.line}`;
        where = packageOf(shortSource(original.source));
      }
    }
    return { name: name.trim(), where };
  };
}

/**
 * Names a frame of a Node process (the server) by its file: `src/…` or its package, Node's
 * own modules (`node:…`) as they are.
 */
export function nodePosition(frame: CallFrame): SourcePosition {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return { name, where: name.startsWith('(') ? name : '(built-ins)' };
  const source = shortSource(frame.url.replace(/^file:\/\//, ''));
  return { name: `${name} ${source}:${frame.lineNumber + 1}`, where: packageOf(source) };
}

/** `node_modules/<package>` or the app's own `src/<area>/<feature>` a source belongs to. */
const packageOf = (source: string) =>
  /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1] ??
  /^(src\/[^/]+\/[^/]+)/.exec(source)?.[1] ??
  source;

const shortUrl = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');
const shortSource = (source: string) =>
  source.replace(/^.*?\/(src\/|node_modules\/)/, '$1').replace(/^(\.\.\/)+/, '');
