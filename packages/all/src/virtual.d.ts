// Made from widgets.json by scripts/widgets.mjs: `export * from` every widget package.
declare module 'virtual:convlab/all-exports';
