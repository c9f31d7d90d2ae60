import { Buffer } from 'buffer';
import process from 'process';
import { speedUpBufferViews } from './fast-buffer';

// mqtt.js' modules expect Node's `process` and `Buffer` as globals (lib/shared.js reads
// `process?.nextTick` at load, which throws where `process` was never declared). Imported
// by mqtt-browser.ts before any of them.
const scope = globalThis as { process?: unknown; Buffer?: unknown };
scope.process ??= process;
scope.Buffer ??= Buffer;
speedUpBufferViews(Buffer);
