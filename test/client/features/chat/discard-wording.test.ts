import { describe, expect, it } from 'vitest';
import {
  discardedAnnouncement,
  discardLabels,
  retriedAnnouncement,
  retryLabel,
  retryLabels,
  type DiscardTarget,
} from '../../../../src/client/features/chat/lib/discard-wording';

const at = (time: string, text: string, room?: string): DiscardTarget => ({ time, text, room });

describe('discardLabels', () => {
  it.each([
    {
      name: 'names one alone by its time and opening',
      targets: [at('10:42', 'hello')],
      expected: ['Discard undelivered message sent 10:42: hello'],
    },
    {
      name: 'numbers those alike in the order listed, and only those',
      targets: [at('10:42', 'ok'), at('10:42', 'fine'), at('10:42', 'ok'), at('10:43', 'ok')],
      expected: [
        'Discard undelivered message 1 of 2 sent 10:42: ok',
        'Discard undelivered message sent 10:42: fine',
        'Discard undelivered message 2 of 2 sent 10:42: ok',
        'Discard undelivered message sent 10:43: ok',
      ],
    },
    {
      name: 'tells apart by their room those of several rooms',
      targets: [at('10:42', 'ok', 'ops'), at('10:42', 'ok', 'secret'), at('10:42', 'ok', 'ops')],
      expected: [
        'Discard undelivered message 1 of 2 to #ops sent 10:42: ok',
        'Discard undelivered message to #secret sent 10:42: ok',
        'Discard undelivered message 2 of 2 to #ops sent 10:42: ok',
      ],
    },
    {
      name: 'lets no message’s words read as another’s count',
      targets: [at('10:42', 'ok'), at('10:42', 'ok'), at('10:42', '1 of 2 sent 10:42: ok')],
      expected: [
        'Discard undelivered message 1 of 2 sent 10:42: ok',
        'Discard undelivered message 2 of 2 sent 10:42: ok',
        'Discard undelivered message sent 10:42: 1 of 2 sent 10:42: ok',
      ],
    },
  ])('$name', ({ targets, expected }) => {
    const labels = discardLabels(targets);
    expect(labels).toEqual(expected);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('announces a discard without the count, which no longer holds once it is gone', () => {
    expect(discardedAnnouncement(at('10:42', 'ok', 'ops'))).toBe(
      'Discarded message to #ops sent 10:42: ok',
    );
  });
});

describe('retryLabels', () => {
  it('names Retry buttons as Discard ones, starting with Retry', () => {
    const targets = [at('10:42', 'ok'), at('10:42', 'fine'), at('10:42', 'ok')];
    expect(retryLabels(targets)).toEqual([
      'Retry undelivered message 1 of 2 sent 10:42: ok',
      'Retry undelivered message sent 10:42: fine',
      'Retry undelivered message 2 of 2 sent 10:42: ok',
    ]);
    expect(retryLabel(at('10:42', 'fine'))).toBe('Retry undelivered message sent 10:42: fine');
  });

  it('announces a retry without the count', () => {
    expect(retriedAnnouncement(at('10:42', 'ok'))).toBe('Retried message sent 10:42: ok');
  });
});
