// UI tests: what a person sees in the workbench, driven through chromium like a user would.
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export interface UiContext {
  workspace: string;
  screenshots: string;
  /** 'dev' or 'vsix': names screenshots per run. */
  label: string;
}
export interface UiTest {
  name: string;
  phases: ('dev' | 'vsix')[];
  run(page: Page, ctx: UiContext): Promise<void>;
}

export const uiTests: UiTest[] = [];
