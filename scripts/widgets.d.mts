// Types of scripts/widgets.mjs (for the Vite configs written in TypeScript).
import type { Plugin } from 'vite';
export interface Widget {
  tag: string;
  package: string;
  title: string;
  topic: string;
  /** The event that marks the widget's first result; null: it has one as soon as it renders. */
  readyEvent: string | null;
  /** Iframe height (px) that shows the widget whole at a usual LMS width (default DEFAULT_HEIGHT). */
  height: number;
}
export const root: string;
export const widgetsFile: string;
export const DEFAULT_HEIGHT: number;
export function readWidgets(file?: string): Widget[];
export function packagesOf(widgets: Widget[]): string[];
export function embedHtml(widget: Widget, csp: string): string;
export function writeEmbedPages(dir: string, widgets: Widget[], csp: string): void;
export function virtualModules(widgets: Widget[]): Record<string, string>;
export function convlabWidgets(): Plugin;
