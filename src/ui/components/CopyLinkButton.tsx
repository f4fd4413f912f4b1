import { useEffect, useState } from 'react';

type CopyState = 'idle' | 'copied' | 'failed';

/** Copies the page's full URL (which always encodes the current settings), or `link()`. */
export function CopyLinkButton({
  label = 'Copy link',
  link = () => window.location.href,
}: {
  label?: string;
  link?: () => string;
}) {
  const [state, setState] = useState<CopyState>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(t);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link());
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <span className="copy-link">
      <button type="button" onClick={() => void copy()}>
        {state === 'copied' ? 'Copied' : label}
      </button>
      <span role="status" className="copy-status">
        {state === 'copied' && 'Link copied to the clipboard.'}
        {state === 'failed' && `Copy failed; the link is: ${link()}`}
      </span>
    </span>
  );
}
