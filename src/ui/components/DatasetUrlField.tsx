import { useState } from 'react';

/** Downloads a dataset archive from a URL (Enter or the button). */
export function DatasetUrlField({ busy, onUrl }: { busy: boolean; onUrl: (url: string) => void }) {
  const [url, setUrl] = useState('');
  return (
    <div className="url-row">
      <label htmlFor="dataset-url">Download from a URL</label>
      <div className="button-row">
        <input
          id="dataset-url"
          type="url"
          placeholder="https://…/cifar-10-binary.tar.gz"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              if (url.trim()) onUrl(url);
            }
          }}
        />
        <button type="button" disabled={busy || !url.trim()} onClick={() => onUrl(url)}>
          Download
        </button>
      </div>
    </div>
  );
}
