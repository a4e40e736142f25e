/**
 * The README and docs/ as a newcomer reads them: short enough, every command they name is real
 * (`wfad <cmd> --help` works, every option shown exists, every `npm run` script exists), every
 * relative link resolves, each page says who it is for, and the GraphQL reference is the one
 * generated from the committed schema. Runs the CLI in-process (no Neo4j needed).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { PROJECT_ROOT } from '../../src/config';
import { buildProgram } from '../../src/cli/main';
import { GRAPHQL_DOCS_FILE, SCHEMA_SDL_FILE, renderGraphqlDocs } from '../../scripts/graphql-docs';

const README = path.join(PROJECT_ROOT, 'README.md');
const DOCS = path.join(PROJECT_ROOT, 'docs');
const pages = (): string[] => [README, ...fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => path.join(DOCS, f))];
const read = (f: string): string => fs.readFileSync(f, 'utf8');
const rel = (f: string): string => path.relative(PROJECT_ROOT, f);

/** Code the page shows: fenced blocks (backslash continuations joined) and inline code spans. */
export function codeLines(md: string): string[] {
  const out: string[] = [];
  const fence = /^```[^\n]*\n([\s\S]*?)^```/gm;
  for (const m of md.matchAll(fence)) out.push(...(m[1] ?? '').replace(/\\\n\s*/g, ' ').split('\n'));
  const prose = md.replace(fence, '');
  for (const m of prose.matchAll(/`([^`\n]+)`/g)) out.push(m[1] ?? '');
  return out;
}

/** `wfad <cmd> [<sub>]` invocations in code, with the --options written after them on that line. */
export function wfadInvocations(line: string): Array<{ words: string[]; options: string[] }> {
  const found: Array<{ words: string[]; options: string[] }> = [];
  // "wfad" as a command: at the start, after npx, a pipe/semicolon/&&, or an env assignment.
  const re = /(?:^|npx |[;&|(]\s*|=\S+\s+)wfad ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?/g;
  for (const m of line.matchAll(re)) {
    const rest = line.slice((m.index ?? 0) + m[0].length).split(/\s(?:&&|\|\||;|\|)\s|\s#\s/)[0] ?? '';
    const words = [m[1] as string, ...(m[2] ? [m[2]] : [])];
    const options = [...rest.matchAll(/(?:^|[\s[|(])(--[a-z][a-z-]*)/g)].map((o) => o[1] as string);
    found.push({ words, options });
  }
  return found;
}

function findCommand(program: Command, words: string[]): { cmd: Command; used: number } | null {
  const top = program.commands.find((c) => c.name() === words[0]);
  if (!top) return null;
  const sub = words[1] ? top.commands.find((c) => c.name() === words[1]) : undefined;
  return sub ? { cmd: sub, used: 2 } : { cmd: top, used: 1 };
}

/** `wfad <words> --help` in-process: exit code 0 and the usage text. */
function help(words: string[]): { code: number; text: string } {
  const program = buildProgram();
  let text = '';
  const capture = (c: Command): void => {
    c.configureOutput({ writeOut: (s) => void (text += s), writeErr: (s) => void (text += s) });
    c.commands.forEach(capture);
  };
  capture(program);
  try {
    program.parse(['node', 'wfad', ...words, '--help']);
    return { code: 0, text };
  } catch (err) {
    return { code: (err as { exitCode?: number }).exitCode ?? 1, text };
  }
}

describe('README and docs/', () => {
  it('README.md is at most 10,000 bytes', () => {
    const bytes = fs.statSync(README).size;
    assert.ok(bytes <= 10_000, `README.md is ${bytes} bytes: move detail to docs/`);
  });

  it('the two commands of the README are npm scripts, and every `npm run <script>` shown exists', () => {
    const scripts = (JSON.parse(read(path.join(PROJECT_ROOT, 'package.json'))) as { scripts: Record<string, string> }).scripts;
    const readme = read(README);
    assert.match(readme, /^npm start\b/m);
    assert.match(readme, /^npm test\b/m);
    assert.match(scripts.start ?? '', /bin\/wfad\.js start\b/, 'npm start runs wfad start (tested by test/integration/start.test.ts)');
    assert.match(scripts.test ?? '', /run-tests\.js/);
    const missing: string[] = [];
    for (const f of pages()) {
      for (const line of codeLines(read(f))) {
        for (const m of line.matchAll(/\bnpm run(?:-script)? ([a-z][\w:-]*)/g)) if (!scripts[m[1] as string]) missing.push(`${rel(f)}: ${m[0]}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('every `wfad <command>` named in README and docs/ is a real command whose --help works, and each option shown exists', () => {
    const program = buildProgram();
    const problems = new Set<string>();
    const checked = new Set<string>();
    for (const f of pages()) {
      for (const line of codeLines(read(f))) {
        for (const inv of wfadInvocations(line)) {
          const hit = findCommand(program, inv.words);
          if (!hit) {
            problems.add(`${rel(f)}: wfad ${inv.words[0]} is not a command`);
            continue;
          }
          const words = inv.words.slice(0, hit.used);
          const key = words.join(' ');
          if (!checked.has(key)) {
            checked.add(key);
            const h = help(words);
            if (h.code !== 0 || !h.text.includes(`Usage: wfad ${key}`)) problems.add(`${rel(f)}: wfad ${key} --help exited ${h.code}`);
          }
          const known = new Set(['--help', ...hit.cmd.options.flatMap((o) => [o.long, o.negate ? `--${o.attributeName()}` : undefined]).filter((x): x is string => Boolean(x))]);
          for (const o of inv.options) if (!known.has(o)) problems.add(`${rel(f)}: wfad ${key} has no option ${o}`);
        }
      }
    }
    assert.ok(checked.size >= 8, `only ${checked.size} commands found in the docs: is the extraction broken?`);
    assert.deepEqual([...problems], []);
  });

  it('every relative link in README and docs/ resolves to a file in the repository', () => {
    const broken: string[] = [];
    for (const f of pages()) {
      for (const m of read(f).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (m[1] as string).split('#')[0] as string;
        if (!target || /^[a-z]+:/.test(target)) continue;
        if (!fs.existsSync(path.resolve(path.dirname(f), target))) broken.push(`${rel(f)} → ${m[1]}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('each docs/ page opens with its title and one line saying who it is for', () => {
    for (const f of pages().slice(1)) {
      const [title, blank, who] = read(f).split('\n');
      assert.match(title ?? '', /^# \S/, `${rel(f)}: first line is not a title`);
      assert.equal(blank, '', `${rel(f)}: a blank line after the title`);
      assert.match(who ?? '', /\bfor\b/i, `${rel(f)}: the line after the title says who the page is for (e.g. "For operators who …")`);
    }
  });

  it('no page speaks of the project-management side (issues, sessions, helpers)', () => {
    const bad: string[] = [];
    for (const f of pages()) {
      read(f).split('\n').forEach((line, i) => {
        if (/\bissues?\b|(?<![-\w/@])helpers?\b|\b(?:previous|earlier|this|next) sessions?\b/i.test(line)) bad.push(`${rel(f)}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(bad, []);
  });

  it('docs/graphql.md is generated from schema/schema.graphql (run `npm run docs:graphql` after `npm run schema`)', () => {
    assert.ok(read(GRAPHQL_DOCS_FILE) === renderGraphqlDocs(read(SCHEMA_SDL_FILE)), 'docs/graphql.md differs from what the schema generates: run `npm run docs:graphql`');
  });

  it('the GraphQL reference lists every query and mutation of the schema', () => {
    const doc = read(GRAPHQL_DOCS_FILE);
    for (const m of read(SCHEMA_SDL_FILE).matchAll(/^type (Query|Mutation) \{([\s\S]*?)^\}/gm)) {
      for (const f of (m[2] ?? '').matchAll(/^ {2}(\w+)[(:]/gm)) assert.ok(doc.includes(`| \`${f[1]}\` |`), `${f[1]} missing from docs/graphql.md`);
    }
  });
});
