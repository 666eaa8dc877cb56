// The modules that scripts/widgets.mjs's Vite plugin makes from widgets.json.
declare module 'virtual:convlab/widgets' {
  /** An entry of widgets.json (scripts/widgets.mjs checks it and fills in the default height). */
  export type Widget = import('../../../scripts/widgets.mjs').Widget;
  export const widgets: Widget[];
  /** tag -> imports the package that defines it. */
  export const loaders: Record<string, () => Promise<unknown>>;
}
declare module 'virtual:convlab/manifests' {
  /** package name -> its custom-elements.json. */
  export const manifests: Record<string, unknown>;
}
declare module 'virtual:convlab/define-all' {}
