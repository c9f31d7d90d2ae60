import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Field } from '../../../src/client/components/field';

describe('Field', () => {
  it('labels its control, and marks it neither valid nor invalid when it is not checked', () => {
    render(
      <>
        <Field label="Room id">{(control) => <input {...control} />}</Field>
        <Field label="Kind">{(control) => <select {...control} />}</Field>
      </>,
    );
    const input = screen.getByLabelText('Room id');
    expect(input.tagName).toBe('INPUT');
    expect(screen.getByLabelText('Kind').tagName).toBe('SELECT');
    expect(input).not.toHaveAttribute('aria-invalid');
    expect(input).not.toHaveAttribute('aria-describedby');
  });

  it('marks a checked control valid while it has no error', () => {
    render(
      <Field label="User id" error={null}>
        {(control) => <input {...control} />}
      </Field>,
    );
    const input = screen.getByLabelText('User id');
    expect(input).toHaveAttribute('aria-invalid', 'false');
    expect(input).not.toHaveAttribute('aria-describedby');
  });

  it('shows its error and ties it to the control', () => {
    render(
      <Field label="Topic filter" error="A filter cannot be empty" className="rule-row__topic">
        {(control) => <input {...control} />}
      </Field>,
    );
    const input = screen.getByLabelText('Topic filter');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveAccessibleDescription('A filter cannot be empty');
    expect(input.closest('.field')).toHaveClass('rule-row__topic');
  });
});
