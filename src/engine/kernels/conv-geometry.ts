/** NHWC convolution shapes with symmetric explicit padding (pure). */

export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  outChannels: number;
  stride: number;
  /** Zero padding on every side. */
  pad: number;
  outHeight: number;
  outWidth: number;
}

export function convGeometry(
  xShape: readonly number[],
  wShape: readonly number[],
  stride: number,
  pad: number,
): ConvGeometry {
  if (xShape.length !== 4 || wShape.length !== 4) {
    throw new Error(`conv2d: x must be [n, h, w, c] and w [kh, kw, cin, cout]`);
  }
  const [batch, inHeight, inWidth, inChannels] = xShape as [number, number, number, number];
  const [kernelHeight, kernelWidth, wIn, outChannels] = wShape as [number, number, number, number];
  if (wIn !== inChannels) throw new Error(`conv2d: x has ${inChannels} channels, w expects ${wIn}`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`conv2d: bad stride ${stride}`);
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`conv2d: bad padding ${pad}`);
  const outHeight = Math.floor((inHeight + 2 * pad - kernelHeight) / stride) + 1;
  const outWidth = Math.floor((inWidth + 2 * pad - kernelWidth) / stride) + 1;
  if (outHeight < 1 || outWidth < 1) throw new Error('conv2d: kernel larger than padded input');
  return {
    batch,
    inHeight,
    inWidth,
    inChannels,
    kernelHeight,
    kernelWidth,
    outChannels,
    stride,
    pad,
    outHeight,
    outWidth,
  };
}

/** Multiply-adds of the forward pass (each gradient costs the same). */
export function convMacs(g: ConvGeometry): number {
  return (
    g.batch *
    g.outHeight *
    g.outWidth *
    g.outChannels *
    g.kernelHeight *
    g.kernelWidth *
    g.inChannels
  );
}
