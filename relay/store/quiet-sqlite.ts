/**
 * Drops Node's one-line "SQLite is an experimental feature" warning, printed when `node:sqlite` loads
 * (Node 22): the relay's embedded database is a deliberate choice, and the warning would open every
 * `npm start`. Node loads a built-in module while it links the import graph, before any module of it
 * runs: so this is imported first, and the code that uses `node:sqlite` afterwards with a dynamic
 * `import()` (`relay/bin.js`, `scripts/start.ts`). Every other warning is printed as usual.
 */
const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === "string" ? warning : warning.message;
  if (text.startsWith("SQLite is an experimental feature")) return;
  emit(warning, ...rest);
}) as typeof process.emitWarning;
