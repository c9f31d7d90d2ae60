import { useId, type ReactNode } from 'react';

/** What a field hands its control: the label points at `id`, the error at the rest. */
export interface FieldControlProps {
  id: string;
  /** Set on fields that are checked (given an `error`, null when there is none). */
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
}

interface FieldProps {
  label: ReactNode;
  /** Shown under the control, and read out with it by screen readers. */
  error?: string | null;
  /** Added to the field's own class, for where a layout places it. */
  className?: string;
  children(control: FieldControlProps): ReactNode;
}

/** A labelled form control, with its error when it has one. */
export function Field({ label, error, className, children }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {children({
        id,
        'aria-invalid': error === undefined ? undefined : Boolean(error),
        'aria-describedby': error ? errorId : undefined,
      })}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
