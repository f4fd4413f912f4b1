import { createMockHub } from './mock-hub-server';

/** The e2e suite's mock Hugging Face Hub (playwright.config.ts starts it) on $MOCK_HUB_PORT. */
const port = Number(process.env.MOCK_HUB_PORT ?? 4290);
createMockHub().listen(port, '127.0.0.1', () => {
  console.log(`mock Hugging Face Hub on http://127.0.0.1:${port}/`);
});
