// Types for scripts/bootstrap.mjs (plain JavaScript so that it runs before node_modules exists).
export interface Observed {
  hasNodeModules: boolean;
  nodeModulesStale: boolean;
  hasLockfile: boolean;
  buildStale: boolean;
  missingPackages: string[];
  isRoot: boolean;
  isDebian: boolean;
  hasAptLists: boolean;
  hasSystemctl: boolean;
  platform: string;
}
export interface Step {
  kind: 'apt-update' | 'apt-install' | 'stop-daemons' | 'npm-install' | 'build';
  cmd: string;
  args: string[];
  each?: boolean;
}
export const ROOT: string;
export const PACKAGES: Record<string, { provides?: (string | string[])[]; files?: string[]; daemon?: string }>;
export const NEEDS: { start: string[]; test: string[] };
export const SOURCES: string[];
export function planBootstrap(o: Observed): { steps: Step[]; stop: string | undefined };
export function installMessage(missing: string[], o: Pick<Observed, 'isDebian' | 'platform'>): string;
export function which(name: string, path?: string): string | undefined;
export function missingPackages(names: string[], env?: NodeJS.ProcessEnv): string[];
export function observe(command: 'start' | 'test', root?: string, env?: NodeJS.ProcessEnv): Observed;
export function bootstrap(command: 'start' | 'test', opts?: { prefix?: string; root?: string }): boolean;
