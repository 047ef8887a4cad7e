export { buildConsole, consoleIsUpToDate, consoleSourceHash, CONSOLE_DIST_DIR, CONSOLE_SOURCE_DIR, ensureConsoleBuilt, type BuildLogger } from './build.js';
export { consoleRouter, CONSOLE_ROUTE } from './serve.js';
