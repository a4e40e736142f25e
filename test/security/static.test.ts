/**
 * Static checks over the source tree (no database):
 *  - all Cypher is parameterised: every template literal in src/ that reads as Cypher may
 *    interpolate only the constant-only expressions listed (and explained) below; anything else
 *    fails, and so does a listed expression that no longer occurs (the list stays tight);
 *  - secrets come only from the environment: tracked code, scripts, CI, model cards, README and docs
 *    examples hold no credential literals other than documented placeholders.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { PROJECT_ROOT } from '../../src/config';

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

/** Reads as Cypher: an upper-case clause keyword, a parameter in an expression (`= $x`, `+ $x`), or a node pattern with a label. */
const CYPHER = /\b(MATCH|MERGE|CREATE|UNWIND|RETURN|DETACH DELETE|SET|REMOVE|CALL|OPTIONAL MATCH|WHERE|ORDER BY|LIMIT|WITH)\b|[=<>+]\s*\$|\(\w*:[A-Z]\w*[\s{)]/;

/**
 * The interpolations allowed in Cypher text, by file: each is built from constants only (never a
 * request, file or CLI value), because labels, property lists and clause shapes cannot be
 * parameters. Values always travel as $parameters.
 */
const ALLOWED: Record<string, Record<string, string>> = {
  'src/graph/runs.ts': {
    JOB_LITERAL: 'the constant list of job property names (checked to be plain names at load), each bound to a row position',
    OTHER: 'the position after them, a constant number',
  },
  'src/graph/read-runs.ts': {
    "JOB_FIELDS.map((f) => `j.${f}`).join(', ')": 'the constant list of job property names',
    WHERE: 'constant run predicates, each comparing with a $parameter',
    LABELLED: 'constant truth predicate comparing with $labelled',
    PACKED: 'constant job-table predicate comparing with $tableFields',
    match: 'one of the two constant MATCH clauses (MATCH_ALL, MATCH_IDS) the module-level queries are built from',
  },
  'src/graph/predictions.ts': {
    target: "the label, typed 'Run' | 'Job', from the two constant queries built at load time",
    level: "typed 'graph' | 'node', from the same two constant queries",
    rowsOnTargets: 'the constant head both write queries share (its label typed as above)',
  },
  'src/api/store/predictions.ts': {
    "predictionFields('p')": 'constant Prediction projection',
    RUN_FIELDS: 'constant Run projection',
  },
  'src/api/store/models.ts': {
    FIELDS: 'constant RETURN list',
  },
  'src/api/store/runs.ts': {
    RUN_FIELDS: 'constant projection',
    RUN_MAP: 'the constant map projection of the Run property names (RUN_PROPS)',
    prop: "property name from eq()'s constant call sites (workflow, label, category, level)",
    name: 'parameter name from the same constant call sites',
    "where.length ? ` WHERE ${where.join(' AND ')}` : ''": 'joins the constant predicates above',
    "where.join(' AND ')": 'constant predicates, each comparing a property with a $parameter',
    "filtersOnPrediction ? 'MATCH' : 'OPTIONAL MATCH'": 'clause choice',
    "pw.length ? ` WHERE ${pw.join(' AND ')}` : ''": 'constant prediction predicates',
    "pw.join(' AND ')": 'constant prediction predicates with $parameters',
    cypher: 'the clause built by selectionClause from the constants above',
    'c.cypher': 'the clause built by selectionClause from the constants above',
    'part.key': 'one of the constant sort expressions of the page parts',
    "branches.map((b) => `${b}\\nRETURN r, k, score`).join('\\nUNION ALL\\n')": 'joins the branches built from the constants above',
    b: 'one branch built from the constants above',
    page: 'the page query built from the constants above',
    'withPredictionOf ? "OPTIONAL MATCH (pp:Prediction {id: r.id + \'|\' + $pageModel})" : \'WITH r, k, score, null AS pp\'': 'clause choice; the model id is the $pageModel parameter',
    RUN_ITEMS: 'the constant list of Run property names (RUN_PROPS), as list items',
    prediction: "one of the constant prediction projections: predictionFields('pp'), the verdict list, or null",
    cmp: "'<' or '>'",
    dir: "'ASC' or 'DESC'",
    afterClause: 'constant keyset predicate with $afterK/$afterId, or empty',
    "byPrediction ? \"OPTIONAL MATCH (p:Prediction {id: r.id + '|' + $modelId})\" : 'WITH r, null AS p'": 'clause choice',
    "byPrediction ? \"coalesce(p.predicted, 'unscored')\" : \"coalesce(r.category, 'unlabelled')\"": 'expression choice',
  },
};

interface Interpolation {
  file: string;
  line: number;
  expr: string;
}

function cypherInterpolations(file: string, text = fs.readFileSync(file, 'utf8')): Interpolation[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: Interpolation[] = [];
  const rel = path.relative(PROJECT_ROOT, file);
  const visit = (node: ts.Node): void => {
    if (ts.isTemplateExpression(node)) {
      const literal = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
      if (CYPHER.test(literal)) {
        for (const span of node.templateSpans) out.push({ file: rel, line: sf.getLineAndCharacterOfPosition(span.expression.getStart()).line + 1, expr: span.expression.getText(sf) });
      }
    }
    // "MATCH ... " + value: concatenation into Cypher text.
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      for (const [a, b] of [[node.left, node.right], [node.right, node.left]] as const) {
        if ((ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) && CYPHER.test(a.text) && !ts.isStringLiteral(b) && !ts.isNoSubstitutionTemplateLiteral(b)) {
          out.push({ file: rel, line: sf.getLineAndCharacterOfPosition(b.getStart()).line + 1, expr: b.getText(sf) });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('all Cypher is parameterised', () => {
  const found = sourceFiles(path.join(PROJECT_ROOT, 'src')).flatMap((f) => cypherInterpolations(f));

  it('interpolates only the listed constant-only expressions into Cypher text', () => {
    const bad = found.filter((f) => !(f.expr in (ALLOWED[f.file] ?? {})));
    assert.deepEqual(
      bad.map((b) => `${b.file}:${b.line}: \${${b.expr}}`),
      [],
      'Cypher built by interpolating these expressions: pass values as $parameters (or, for a constant-only piece, list it in ALLOWED with the reason)',
    );
  });

  it('lists no allowance that the code no longer needs', () => {
    const seen = new Set(found.map((f) => `${f.file}|${f.expr}`));
    const stale = Object.entries(ALLOWED).flatMap(([file, exprs]) => Object.keys(exprs).filter((e) => !seen.has(`${file}|${e}`)).map((e) => `${file}: ${e}`));
    assert.deepEqual(stale, []);
  });

  it('finds Cypher interpolations when there are some (the scanner works)', () => {
    const probe = "const name = process.argv[2];\nexport const q = `MATCH (r:Run {id: '${name}'}) RETURN r`;\nexport const c = 'MATCH (n) WHERE n.x = ' + name;\n";
    assert.deepEqual(cypherInterpolations(path.join(PROJECT_ROOT, 'probe.ts'), probe).map((i) => i.expr), ['name', 'name']);
  });
});

describe('secrets come only from the environment', () => {
  /** Tracked files a credential could hide in (tests hold their own throwaway keys). */
  const files = execFileSync('git', ['ls-files', '-z', '--', 'src', 'scripts', 'bin', '.ci', 'bench', 'examples', 'cypher', 'models', 'README.md', 'docs', 'package.json', '.npmrc'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && !/\.(onnx|bin|png|svg)$/.test(f) && !(f.startsWith('models/') && !f.endsWith('.md')));

  /** Values that are documented placeholders or references, not credentials. */
  const PLACEHOLDER = /^(change-me|…|\.\.\.|<[^>]*>|\$\{?[A-Z0-9_]+\}?|none|neo4j|xxx+|secret|\*+|''|"")$/i;

  const RULES: Array<{ name: string; re: RegExp; value?: number }> = [
    { name: 'credential assignment', re: /\b(password|passwd|secret|token|api[_-]?keys?|access[_-]?key|private[_-]?key)\b["']?\s*[:=]\s*["'`]([^"'`\s]{3,})["'`]/gi, value: 2 },
    { name: 'credential in an environment assignment', re: /\b(NEO4J_PASSWORD|WFAD_API_KEYS|NEO4J_AUTH)=([^\s"'`;&|)]+)/g, value: 2 },
    { name: 'Bearer token literal', re: /\bBearer\s+([A-Za-z0-9._~+/-]{12,}=*)/g, value: 1 },
    { name: 'credentials in a connection URI', re: /\b(bolt|neo4j|https?)(\+s|\+ssc)?:\/\/[^\s/:@'"`]+:([^\s/@'"`]+)@/g, value: 3 },
    { name: 'hard-coded Neo4j basic auth', re: /auth\.basic\(\s*['"][^'"]*['"]\s*,\s*['"]([^'"]+)['"]/g, value: 1 },
    { name: 'private key block', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/g },
    { name: 'cloud or VCS token', re: /\b(AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}|xox[baprs]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9]{20,})\b/g },
  ];

  it('finds no hard-coded credentials in tracked code, scripts, CI, model cards or README examples', () => {
    assert.ok(files.length > 50, `scanned ${files.length} files`);
    const hits: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(PROJECT_ROOT, f), 'utf8');
      for (const rule of RULES) {
        for (const m of text.matchAll(rule.re)) {
          const value = rule.value !== undefined ? (m[rule.value] ?? '') : m[0];
          if (rule.value !== undefined && PLACEHOLDER.test(value)) continue;
          // Reads from the environment or a variable, e.g. password: env.NEO4J_PASSWORD, are not literals.
          const line = text.slice(0, m.index).split('\n').length;
          hits.push(`${f}:${line}: ${rule.name}: ${m[0].slice(0, 80)}`);
        }
      }
    }
    assert.deepEqual(hits, []);
  });

  it('the rules catch what they are for (the scanner works)', () => {
    const sample = [
      "const password = 'hunter22';",
      'WFAD_API_KEYS=s3cr3t-key npx wfad serve',
      'curl -H "authorization: Bearer abcdefghijklmnop"',
      'NEO4J_URI=neo4j+s://neo4j:pa55word@db.example.com',
      "neo4j.auth.basic('neo4j', 'letmein')",
    ].join('\n');
    const n = RULES.reduce((a, r) => a + [...sample.matchAll(r.re)].filter((m) => r.value === undefined || !PLACEHOLDER.test(m[r.value] ?? '')).length, 0);
    assert.equal(n, 5);
    const ok = ['WFAD_API_KEYS=change-me npx wfad serve', 'NEO4J_PASSWORD=… wfad ingest', 'authorization: Bearer $KEY', 'NEO4J_PASSWORD=$NEO4J_PASSWORD'].join('\n');
    assert.equal(RULES.reduce((a, r) => a + [...ok.matchAll(r.re)].filter((m) => r.value === undefined || !PLACEHOLDER.test(m[r.value] ?? '')).length, 0), 0);
  });
});
