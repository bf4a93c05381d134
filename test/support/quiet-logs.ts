// Loaded before anything else (see .mocharc.json): the logger reads LOG_LEVEL when it is first
// imported, so the level for in-process gateways in tests must be set before any import.
process.env.LOG_LEVEL ??= 'warn';
