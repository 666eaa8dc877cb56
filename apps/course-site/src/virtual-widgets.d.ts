// The modules that scripts/widgets.mjs's Vite plugin makes from widgets.json.
declare module 'virtual:convlab/widgets' {
  export interface Widget {
    tag: string;
    package: string;
    title: string;
    topic: string;
    /** The event that marks the widget's first result; null: it has one as soon as it renders. */
    readyEvent: string | null;
    /** Iframe height (px) that shows the widget whole at a usual LMS width. */
    height: number;
  }
  export const widgets: Widget[];
  /** tag -> imports the package that defines it. */
  export const loaders: Record<string, () => Promise<unknown>>;
}
declare module 'virtual:convlab/manifests' {
  /** package name -> its custom-elements.json. */
  export const manifests: Record<string, unknown>;
}
declare module 'virtual:convlab/define-all' {}
