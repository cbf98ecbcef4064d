// The deploy project's test timeout (jest.config.js): Jest reads `testTimeout` from the global config
// only, so a project sets its own with jest.setTimeout in a setup file.
jest.setTimeout(30_000);
