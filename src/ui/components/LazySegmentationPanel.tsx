import { lazy, Suspense, type ComponentProps } from 'react';

/**
 * The segmentation panel, fetched the first time a segmentation run (or Task = segment) is shown,
 * so that classification pages never load it (about 1 kB of gzipped JavaScript).
 */
const SegmentationPanel = lazy(async () => ({
  default: (await import('./SegmentationPanel')).SegmentationPanel,
}));

export function LazySegmentationPanel(props: ComponentProps<typeof SegmentationPanel>) {
  return (
    <Suspense fallback={null}>
      <SegmentationPanel {...props} />
    </Suspense>
  );
}
