import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/fs-atomic.js';
import type { Logger } from '../../common/logger.js';
import { RuleExistsError, RuleNotFoundError, RuleReadOnlyError, RuleValidationError } from '../errors.js';
import type { Rule, RuleSpec } from './model.js';
import { parseRule } from './parse.js';

/** What a RuleStore tells its listeners after a change. */
export type RuleChangeListener = (rules: Rule[]) => void;

function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return s || 'rule';
}

/**
 * RuleStore holds the rules: read-only ones from the YAML file and the API's, which it persists to
 * `<DATA_DIR>/analytics/rules.json` with atomic writes (a crash leaves the old or the new file, never
 * half of one). Writes are serialised, and a change is visible only once it is on disk.
 */
export class RuleStore {
  private readonly rules = new Map<string, Rule>();
  private readonly listeners: RuleChangeListener[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  /** Path of the persisted API rules. */
  readonly path: string;

  constructor(
    dataDir: string,
    private readonly log: Logger,
  ) {
    this.path = join(dataDir, 'analytics', 'rules.json');
  }

  /** load puts the file's rules in and reads the API rules persisted by an earlier run. */
  async load(fileRules: Array<RuleSpec & { id: string }>): Promise<void> {
    const at = new Date().toISOString();
    for (const spec of fileRules) this.rules.set(spec.id, { ...spec, id: spec.id, source: 'file', createdAt: at, updatedAt: at });
    let saved: Array<Record<string, unknown>> = [];
    try {
      const doc = JSON.parse(await readFile(this.path, 'utf8')) as { rules?: Array<Record<string, unknown>> };
      saved = doc.rules ?? [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log.error({ err, path: this.path }, 'cannot read the saved rules; starting without them');
    }
    for (const item of saved) {
      const { source: _s, createdAt, updatedAt, ...body } = item;
      try {
        const spec = parseRule(body);
        const id = spec.id ?? String(item.id);
        if (this.rules.has(id)) {
          this.log.warn({ id }, 'a saved API rule has the id of a rule in the rules file; the file wins');
          continue;
        }
        this.rules.set(id, { ...spec, id, source: 'api', createdAt: String(createdAt ?? ''), updatedAt: String(updatedAt ?? '') });
      } catch (err) {
        this.log.error({ err, id: item.id }, 'a saved rule is no longer valid; it is skipped (it stays in the file until the next write)');
      }
    }
  }

  /** onChange registers a listener called with every rule after each change. */
  onChange(fn: RuleChangeListener): void {
    this.listeners.push(fn);
  }

  /** list returns every rule, file rules first, then API rules by creation. */
  list(): Rule[] {
    return [...this.rules.values()];
  }

  /** get returns one rule or throws RuleNotFoundError. */
  get(id: string): Rule {
    const r = this.rules.get(id);
    if (!r) throw new RuleNotFoundError(id);
    return r;
  }

  /** create validates a body (Vigil's or seed 000's shape) and stores it under a new id. */
  create(body: unknown): Promise<Rule> {
    return this.serialised(async () => {
      const spec = parseRule(body);
      let id = spec.id;
      if (id !== undefined) {
        if (this.rules.has(id)) throw new RuleExistsError(id);
      } else {
        const base = slug(spec.name);
        id = base;
        for (let n = 2; this.rules.has(id); n++) id = `${base}-${n}`;
      }
      const at = new Date().toISOString();
      const rule: Rule = { ...spec, id, source: 'api', createdAt: at, updatedAt: at };
      await this.commit(
        () => this.rules.set(id, rule),
        () => this.rules.delete(id),
      );
      return rule;
    });
  }

  /** update replaces an API rule's body; file rules are read-only. */
  update(id: string, body: unknown): Promise<Rule> {
    return this.serialised(async () => {
      const old = this.get(id);
      if (old.source === 'file') throw new RuleReadOnlyError(id);
      const spec = parseRule(body);
      if (spec.id !== undefined && spec.id !== id)
        throw new RuleValidationError([
          { field: 'id', message: `the body's id ${JSON.stringify(spec.id)} differs from the URL's ${JSON.stringify(id)}` },
        ]);
      const rule: Rule = { ...spec, id, source: 'api', createdAt: old.createdAt, updatedAt: new Date().toISOString() };
      await this.commit(
        () => this.rules.set(id, rule),
        () => this.rules.set(id, old),
      );
      return rule;
    });
  }

  /** remove deletes an API rule; file rules are read-only. */
  remove(id: string): Promise<void> {
    return this.serialised(async () => {
      const old = this.get(id);
      if (old.source === 'file') throw new RuleReadOnlyError(id);
      await this.commit(
        () => this.rules.delete(id),
        () => this.rules.set(id, old),
      );
    });
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Applies a change, writes the API rules; on a failed write undoes the change and rethrows. */
  private async commit(apply: () => void, undo: () => void): Promise<void> {
    apply();
    const rules = this.list().filter((r) => r.source === 'api');
    try {
      await writeFileAtomic(this.path, JSON.stringify({ version: 1, rules }, null, 2) + '\n');
    } catch (err) {
      undo();
      throw err;
    }
    const all = this.list();
    for (const fn of this.listeners) fn(all);
  }
}
