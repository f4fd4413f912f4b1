import type { ParamKey } from '../config/params';

/** Teaching cards: the paper's equation (TeX), why the trick helps, what to watch, where. */
export interface Explanation {
  title: string;
  tex: string;
  why: string;
  watch: string;
  /** Where in the paper: section, figure, and the number of the paper's equation the card shows. */
  section: string;
  figure?: 'schedules' | 'gap';
}

export const EXPLANATIONS: Partial<Record<ParamKey, Explanation>> = {
  linear_scaling: {
    title: 'Linear scaling learning rate',
    tex: String.raw`\eta = 0.1 \times \frac{b}{256}`,
    why: 'A larger batch averages the gradient over more images, so its noise (variance) shrinks while its expectation stays the same. With less noise a proportionally larger step is safe; scaling η with the batch keeps the progress per epoch roughly unchanged.',
    watch:
      'The peak of the learning-rate chart moves with the batch size. Without it, large batches train slower per epoch (fewer, equally small steps).',
    section: '§3.1',
  },
  warmup: {
    title: 'Learning rate warmup',
    tex: String.raw`\eta_i = \frac{i\,\eta}{m}, \quad 1 \le i \le m`,
    why: 'At the start all parameters are random and far from a solution; a large learning rate can throw them into an unstable region. Ramping η up linearly over the first m batches lets the network settle before full-size steps.',
    watch:
      'The ramp at the left of the learning-rate chart, and an early training loss without spikes, especially with large batches and linear scaling.',
    section: '§3.1',
  },
  zero_gamma: {
    title: 'Zero γ',
    tex: String.raw`y = \gamma \hat{x} + \beta, \quad \gamma = 0 \text{ in the last BN of each block}`,
    why: 'With γ = 0 every residual block initially outputs just its input, so the network starts as a shallower one that is easier to train; the blocks grow into their role as γ is learned.',
    watch: 'A faster drop of the training loss in the first epochs.',
    section: '§3.1',
  },
  no_bias_decay: {
    title: 'No bias decay',
    tex: String.raw`\mathcal{L} + \frac{\lambda}{2}\lVert w \rVert^2 \text{ only for conv and FC weights}`,
    why: 'Weight decay is an L2 pull towards zero that regularizes weights. Biases and BN γ/β are few and shape the activations rather than overfit; decaying them mainly costs accuracy, so they are left alone.',
    watch:
      'Usually a small change: compare validation accuracy of two runs that differ only by this toggle.',
    section: '§3.1',
  },
  tweak_b: {
    title: 'ResNet-B',
    tex: String.raw`\text{path A: } 1{\times}1_{s=1} \rightarrow 3{\times}3_{s=2} \rightarrow 1{\times}1`,
    why: 'A 1×1 convolution with stride 2 skips three quarters of the input feature map. Moving the stride to the 3×3 convolution lets path A see every input position.',
    watch:
      'Validation accuracy of bottleneck models (ResNet-26/50/101/152); basic-block models do not change.',
    section: '§4.2, Fig. 2a',
  },
  tweak_c: {
    title: 'ResNet-C',
    tex: String.raw`7{\times}7_{64} \rightarrow 3{\times}3_{32,s=2},\ 3{\times}3_{32},\ 3{\times}3_{64}`,
    why: 'A 7×7 convolution costs 5.4 times a 3×3 one. Three 3×3 convolutions reach a similar receptive field, with more non-linearity, for similar cost.',
    watch: 'The architecture summary (MACs) and validation accuracy.',
    section: '§4.2, Fig. 2b',
  },
  tweak_d: {
    title: 'ResNet-D',
    tex: String.raw`\text{path B: } \mathrm{AvgPool}_{2\times 2,s=2} \rightarrow 1{\times}1_{s=1}`,
    why: 'The 1×1 stride-2 shortcut of a downsampling block also drops three quarters of its input. Averaging 2×2 neighbourhoods first lets every position contribute, at little cost.',
    watch: 'Validation accuracy; the parameter count does not change.',
    section: '§4.2, Fig. 2c',
  },
  cosine: {
    title: 'Cosine learning rate decay',
    tex: String.raw`\eta_t = \frac{1}{2}\left(1 + \cos\frac{t\pi}{T}\right)\eta`,
    why: 'Step decay keeps η high and then cuts it abruptly. The cosine schedule decays slowly at first, faster in the middle and slowly again at the end, so training spends longer at a large rate and finishes gently.',
    watch:
      'The smooth curve in the learning-rate chart; accuracy that rises steadily instead of in jumps at the step boundaries (Fig. 3b).',
    section: '§5.1, Eq. (1)',
    figure: 'schedules',
  },
  label_smoothing: {
    title: 'Label smoothing',
    tex: String.raw`q_i = \begin{cases} 1 - \varepsilon & i = y \\ \varepsilon / (K - 1) & \text{otherwise} \end{cases} \qquad z^*_i - z^*_j = \log\frac{(K-1)(1-\varepsilon)}{\varepsilon}`,
    why: 'With one-hot targets the loss keeps rewarding an ever larger gap between the correct logit and the others, which encourages over-confident outputs. Smoothed targets have a finite optimal gap, so the model stays better calibrated and generalizes better.',
    watch:
      'The logit-gap chart: the gap settles near the theoretical line instead of growing (Fig. 4b).',
    section: '§5.2, Eqs. (4)–(5)',
    figure: 'gap',
  },
  mixup: {
    title: 'Mixup',
    tex: String.raw`\hat{x} = \lambda x_i + (1-\lambda) x_j, \quad \hat{y} = \lambda y_i + (1-\lambda) y_j, \quad \lambda \sim \mathrm{Beta}(\alpha,\alpha)`,
    why: 'Training on convex combinations of image pairs and their labels encourages the model to behave linearly between examples, a strong regularizer that reduces over-fitting.',
    watch:
      'A higher training loss (the targets are mixed) but better validation accuracy; the paper trains longer with it.',
    section: '§5.4, Eqs. (7)–(8)',
  },
  distill: {
    title: 'Knowledge distillation',
    tex: String.raw`\ell(p, \mathrm{softmax}(z)) + T^2\, \ell\!\left(\mathrm{softmax}\!\left(\frac{r}{T}\right), \mathrm{softmax}\!\left(\frac{z}{T}\right)\right)`,
    why: 'A larger, better teacher’s softened predictions carry more information than one-hot labels — which wrong classes are plausible — and the student learns from both.',
    watch:
      'Validation accuracy against an identical run without a teacher; the training loss includes the teacher term.',
    section: '§5.3, Eq. (6)',
  },
};
