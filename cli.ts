#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from './common/version.js';

/**
 * The `vigil` command: one subcommand per service (what each container runs), `stack` for the whole
 * local stack, `detect` for offline anomaly detection. Each subcommand imports its service lazily so
 * that `vigil agent` loads none of the analytics code.
 */
const program = new Command();
program
  .name('vigil')
  .description('Prometheus-native monitoring and predictive alerting.\nEach service reads its configuration from the environment (see .env.example); flags override it.')
  .version(VERSION);

// --- subcommands (one block each; keep alphabetical) ---

await program.parseAsync(process.argv);
