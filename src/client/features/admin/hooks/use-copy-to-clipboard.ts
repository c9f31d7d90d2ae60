import { useState } from 'react';

export type CopyStatus = 'idle' | 'copied' | 'failed';

/** navigator.clipboard needs a secure context (https or localhost); say so when it fails. */
export function useCopyToClipboard() {
  const [status, setStatus] = useState<CopyStatus>('idle');
  const copy = async (text: string) => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard in this context');
      await navigator.clipboard.writeText(text);
      setStatus('copied');
    } catch {
      setStatus('failed');
    }
  };
  return { copy, status };
}
