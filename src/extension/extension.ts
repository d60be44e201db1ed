/**
 * VS Code entry point. The editor integration (commands, search panel, live indexing) is built on
 * the engine in src/core; see the extension issue. Activation stays cheap: nothing loads here.
 */
export function activate(): void {}

export function deactivate(): void {}
