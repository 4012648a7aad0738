import { z } from 'zod';
import { ConfigError } from './errors.js';

/** Env is the slice of `process.env` a service reads; only `main.ts` passes the real one. */
export type Env = Record<string, string | undefined>;

function blankToUndefined(v: unknown): unknown {
  return typeof v === 'string' && v.trim() === '' ? undefined : v;
}

/** envNumber is a number read from a string, with bounds; `what` reads in the error ("a number of seconds"). */
export function envNumber(opts: { min?: number; max?: number; int?: boolean; what?: string } = {}) {
  const what = opts.what ?? (opts.int ? 'an integer' : 'a number');
  return z.preprocess(blankToUndefined, z.string().optional()).transform((s, ctx) => {
    if (s === undefined) return undefined;
    const n = Number(s);
    const bad =
      !Number.isFinite(n) ||
      (opts.int && !Number.isInteger(n)) ||
      (opts.min !== undefined && n < opts.min) ||
      (opts.max !== undefined && n > opts.max);
    if (bad) {
      const range =
        opts.min !== undefined && opts.max !== undefined
          ? ` between ${opts.min} and ${opts.max}`
          : opts.min !== undefined
            ? ` of at least ${opts.min}`
            : '';
      ctx.addIssue({ code: 'custom', message: `expected ${what}${range}, got ${JSON.stringify(s)}` });
      return z.NEVER;
    }
    return n;
  });
}

/** envPort is a TCP port, 0–65535 (0 lets the OS choose, which tests use). */
export function envPort() {
  return envNumber({ min: 0, max: 65535, int: true, what: 'a TCP port' });
}

/** envBool accepts true/false/1/0/yes/no. */
export function envBool() {
  return z.preprocess(blankToUndefined, z.string().optional()).transform((s, ctx) => {
    if (s === undefined) return undefined;
    const v = s.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    ctx.addIssue({ code: 'custom', message: `expected true or false, got ${JSON.stringify(s)}` });
    return z.NEVER;
  });
}

/** envUrl is an http(s) URL. */
export function envUrl() {
  return z.preprocess(blankToUndefined, z.string().optional()).transform((s, ctx) => {
    if (s === undefined) return undefined;
    try {
      const u = new URL(s);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      return s.replace(/\/+$/, '');
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected an http(s) URL such as http://localhost:9090, got ${JSON.stringify(s)}` });
      return z.NEVER;
    }
  });
}

/** envUrlList is a comma-separated list of http(s) URLs. */
export function envUrlList() {
  return z.preprocess(blankToUndefined, z.string().optional()).transform((s, ctx) => {
    if (s === undefined) return undefined;
    const out: string[] = [];
    for (const part of s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      try {
        const u = new URL(part);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
        out.push(part.replace(/\/+$/, ''));
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected comma-separated http(s) URLs, got ${JSON.stringify(part)}` });
        return z.NEVER;
      }
    }
    return out;
  });
}

/** envString is any non-empty string. */
export function envString() {
  return z.preprocess(blankToUndefined, z.string().optional());
}

/** envEnum is one of the given words. */
export function envEnum<T extends string>(values: readonly [T, ...T[]]) {
  return z.preprocess(blankToUndefined, z.string().optional()).transform((s, ctx) => {
    if (s === undefined) return undefined;
    if ((values as readonly string[]).includes(s)) return s as T;
    ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}, got ${JSON.stringify(s)}` });
    return z.NEVER;
  });
}

/**
 * parseEnv validates the environment variables named by `shape` (keys are the variable names) and
 * returns their parsed values (undefined where unset). It throws a ConfigError whose one-line message
 * names each bad variable and what it expected, e.g.
 * `AGENT_INTERVAL_SECONDS: expected a number of seconds of at least 0.1, got "abc"`.
 */
export function parseEnv<S extends z.ZodRawShape>(shape: S, env: Env): z.output<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const msg = result.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`).join('; ');
    throw new ConfigError(msg);
  }
  return result.data;
}
