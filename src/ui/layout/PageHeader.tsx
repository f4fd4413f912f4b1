import { CopyLinkButton } from '../components/CopyLinkButton';

export function PageHeader() {
  return (
    <header className="app-header">
      <div className="title">
        <h1>Tricks Playground</h1>
        <p className="tagline">
          Train a ResNet in your browser and watch what each trick of{' '}
          <a href="https://arxiv.org/abs/1812.01187" target="_blank" rel="noreferrer noopener">
            “Bag of Tricks for Image Classification” (He et al., 2019)
          </a>{' '}
          does.
        </p>
      </div>
      <CopyLinkButton />
    </header>
  );
}

export function PageFooter() {
  return (
    <footer className="app-footer">
      Settings live in the page address: share it to share the experiment. Runs are saved in this
      browser; the charts show the run marked “Shown” and overlay the compared runs.
    </footer>
  );
}
