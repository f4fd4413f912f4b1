/** In-memory image datasets: 8-bit RGB pixels, NHWC, row-major. Free of tfjs. */

export interface ImageSplit {
  /** count × height × width × 3 bytes. */
  images: Uint8Array;
  /** count class indices in [0, classes). */
  labels: Int32Array;
  /**
   * Segmentation (task=segment): count × height × width per-pixel labels in [0, classes), row-major;
   * `labels` then names each image's largest object, for galleries.
   */
  masks?: Uint8Array;
  count: number;
}

export interface ImageDataset {
  name: string;
  classNames: string[];
  height: number;
  width: number;
  train: ImageSplit;
  val: ImageSplit;
}

export function imageBytes(dataset: Pick<ImageDataset, 'height' | 'width'>): number {
  return dataset.height * dataset.width * 3;
}
