#!/usr/bin/env node
/** The `gpu-mesh` command line: parse arguments, run a command, map outcomes to exit codes. */
import { Command, CommanderError, Option } from 'commander';
import { exitWhenWritten } from '../runtime/exit.js';
import { UserError } from './errors.js';

// Each command's module is imported when it runs: `gpu-mesh status` need not load the server.
type Action = (...args: never[]) => Promise<number>;

function withConfig(command: Command): Command {
  return command.addOption(
    new Option('--config <path>', 'mesh.yaml to use (else $GPU_MESH_CONFIG, else ./mesh.yaml)'),
  );
}

function lazy<A extends Action>(load: () => Promise<A>): (...args: Parameters<A>) => Promise<number> {
  return async (...args) => (await load())(...args);
}

/** Runs a command's action and exits with its code; user errors are one line on stderr. */
function exitWith<A extends Action>(action: A): (...args: Parameters<A>) => Promise<void> {
  return async (...args) => {
    try {
      process.exitCode = await action(...args);
    } catch (error) {
      if (error instanceof UserError) {
        process.stderr.write(`gpu-mesh: ${error.message}\n`);
        process.exitCode = error.exitCode;
      } else {
        process.stderr.write(`gpu-mesh: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
        process.exitCode = 70;
      }
    }
    exitWhenWritten();
  };
}

function positiveInt(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) throw new UserError(`${name}: not a whole number: ${value}`);
    return parsed;
  };
}

export function buildProgram(): Command {
  const program = new Command('gpu-mesh')
    .description('Keeps a fleet of Ollama GPU nodes healthy')
    .exitOverride()
    .configureOutput({ outputError: () => {} });

  withConfig(program.command('start'))
    .description('run the service')
    .option('--role <roles>', 'all, or a comma list of scheduler, worker, server, agent', 'all')
    .option('--node <id>', 'the node this agent runs on (with --role agent)')
    .option('--demo', 'also start simulated nodes and monitor them')
    .option(
      '--demo-port <p>',
      'with --demo: port of the first simulated node, the control endpoint on the one before (else $GPU_MESH_DEMO_PORT, else 11501)',
      positiveInt('--demo-port'),
    )
    .action(exitWith(lazy(() => import('./start.js').then((m) => m.runStart))));

  withConfig(program.command('status'))
    .description('mesh health and one row per node')
    .option('--json', 'print the /api/mesh object')
    .option('--watch', 'refresh every 2 s')
    .action(exitWith(lazy(() => import('./status.js').then((m) => m.runStatus))));

  withConfig(program.command('check'))
    .description('one check of NODE now, through the queue')
    .argument('<node>', 'node id')
    .option('--json', 'print the result as JSON')
    .action(exitWith(lazy(() => import('./check.js').then((m) => m.runCheck))));

  withConfig(program.command('recover'))
    .description('a manual recovery of NODE now (even a healthy one); waits and prints the outcome')
    .argument('<node>', 'node id')
    .option('--no-wait', 'enqueue it and return at once')
    .action(exitWith(lazy(() => import('./recover.js').then((m) => m.runRecover))));

  withConfig(program.command('retry'))
    .description('retry the failed jobs of a queue')
    .option('--queue <name>', 'queue name', 'recovery')
    .action(exitWith(lazy(() => import('./retry.js').then((m) => m.runRetry))));

  withConfig(program.command('silence'))
    .description('maintenance: no alerts and no automatic recovery for NODE, for a while')
    .argument('<node>', 'node id')
    .requiredOption('--for <duration>', 'how long, e.g. 30m, 2h')
    .option('--reason <text>', 'shown in status and alerts')
    .action(exitWith(lazy(() => import('./silence.js').then((m) => m.runSilence))));

  withConfig(program.command('unsilence'))
    .description('end a maintenance silence now')
    .argument('<node>', 'node id')
    .action(exitWith(lazy(() => import('./silence.js').then((m) => m.runUnsilence))));

  withConfig(program.command('report'))
    .description('the latest stats report')
    .option('--json', 'print the report as JSON (as /api/reports/latest)')
    .action(exitWith(lazy(() => import('./report.js').then((m) => m.runReport))));

  withConfig(program.command('alerts'))
    .description('recent alerts, newest first')
    .option('--since <duration>', 'how far back, e.g. 30m, 1h, 7d', '1h')
    .option('--json', 'print the alerts as JSON (as /api/alerts)')
    .action(exitWith(lazy(() => import('./alerts.js').then((m) => m.runAlerts))));

  const config = program.command('config').description('configuration');
  withConfig(config.command('check'))
    .description('validate and print the effective config, secrets masked')
    .action(exitWith(lazy(() => import('./config-check.js').then((m) => m.runConfigCheck))));
  config
    .command('schema')
    .description('print the JSON Schema of mesh.yaml (docs/mesh.schema.json)')
    .action(exitWith(lazy(() => import('./config-schema.js').then((m) => m.runConfigSchema))));

  withConfig(program.command('simulate'))
    .description('serve simulated Ollama nodes')
    .option('--nodes <n>', 'how many nodes', positiveInt('--nodes'), 3)
    .option(
      '--port <p>',
      'port of the first node (the control endpoint listens on the port before it)',
      positiveInt('--port'),
      11501,
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(exitWith(lazy(() => import('./simulate.js').then((m) => m.runSimulateCommand))));

  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.exitCode === 0 ||
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version'
      ) {
        process.exitCode = 0;
        return;
      }
      if (error.code === 'commander.help') {
        process.exitCode = 0;
        return;
      }
      process.stderr.write(`gpu-mesh: ${error.message.replace(/^error: /, '')}\n`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof UserError) {
      process.stderr.write(`gpu-mesh: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
}

await main(process.argv);
