import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { InPlaceLink } from '../../../src/client/components/in-place-link';

function renderLink() {
  const onFollow = vi.fn();
  render(
    <InPlaceLink href="#/people" onFollow={onFollow}>
      People
    </InPlaceLink>,
  );
  return { link: screen.getByRole('link', { name: 'People' }), onFollow };
}

describe('InPlaceLink', () => {
  it('is a link to its address', () => {
    expect(renderLink().link).toHaveAttribute('href', '#/people');
  });

  it('follows a plain click itself, so the browser does not', () => {
    const { link, onFollow } = renderLink();
    const notPrevented = fireEvent.click(link, { button: 0 });
    expect(notPrevented).toBe(false);
    expect(onFollow).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['Ctrl (a new tab)', { ctrlKey: true }],
    ['⌘ (a new tab)', { metaKey: true }],
    ['Shift (a new window)', { shiftKey: true }],
    ['Alt (a download)', { altKey: true }],
    ['the middle button (a new tab)', { button: 1 }],
  ])('leaves a click with %s to the browser', (_name, init) => {
    const { link, onFollow } = renderLink();
    const notPrevented = fireEvent.click(link, { button: 0, ...init });
    expect(notPrevented).toBe(true);
    expect(onFollow).not.toHaveBeenCalled();
  });

  it('leaves alone a click something before it has taken', () => {
    const { link, onFollow } = renderLink();
    const takeIt = (event: Event) => event.preventDefault();
    document.addEventListener('click', takeIt, { capture: true });
    try {
      fireEvent.click(link, { button: 0 });
    } finally {
      document.removeEventListener('click', takeIt, { capture: true });
    }
    expect(onFollow).not.toHaveBeenCalled();
  });
});
